// The site pin picker (core/templates/core/site_pin.html): a kilometre grid around a centre, a pin to drag or
// place with a click, and the latitude/longitude inputs kept in step both ways. Nothing is loaded from the
// internet; with data-tiles (settings.MAP_TILE_URL, an XYZ template) the grid lies over map tiles.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const SIZE = 300;
  const SPANS = [0.25, 0.5, 1, 2, 5, 10, 20, 50]; // km from the centre to the edge
  const KM_LAT = 110.574;

  function node(tag, attrs, parent) {
    const el = document.createElementNS(SVG, tag);
    Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
    if (parent) parent.appendChild(el);
    return el;
  }

  function step(span) {
    const raw = (span * 2) / 6;
    const pow = Math.pow(10, Math.floor(Math.log10(raw)));
    return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw);
  }

  function init(box) {
    if (box.dataset.pinReady) return;
    box.dataset.pinReady = "1";
    const form = box.closest("form");
    const latIn = form.querySelector("[data-pin-lat]");
    const lonIn = form.querySelector("[data-pin-lon]");
    const scaleOut = form.querySelector("[data-pin-scale]");
    const lat0 = parseFloat(box.dataset.lat);
    const lon0 = parseFloat(box.dataset.lon);
    const kmLon = 111.32 * Math.cos((lat0 * Math.PI) / 180);
    // A district's centre is only a start: the view spans the district; a precise point, its street.
    let span = SPANS.includes(parseFloat(box.dataset.span)) ? parseFloat(box.dataset.span) : 5;
    const svg = node("svg", { viewBox: `0 0 ${SIZE} ${SIZE}`, class: "pin-svg", role: "img",
                              "aria-label": box.dataset.centreLabel }, box);
    const back = node("g", {}, svg);
    const grid = node("g", { class: "pin-grid" }, svg);
    const pin = node("g", { class: "pin-marker" }, svg);
    node("line", { x1: 0, y1: 0, x2: 0, y2: -18, class: "pin-stem" }, pin);
    node("circle", { cx: 0, cy: -22, r: 7, class: "pin-head" }, pin);
    node("circle", { cx: 0, cy: 0, r: 2.5, class: "pin-foot" }, pin);

    const toXY = (lat, lon) => [SIZE / 2 + ((lon - lon0) * kmLon * SIZE) / (2 * span),
                                SIZE / 2 - ((lat - lat0) * KM_LAT * SIZE) / (2 * span)];
    const toLatLon = (x, y) => [lat0 - ((y - SIZE / 2) * 2 * span) / (SIZE * KM_LAT),
                                lon0 + ((x - SIZE / 2) * 2 * span) / (SIZE * kmLon)];

    function tiles() {
      back.replaceChildren();
      const template = box.dataset.tiles;
      if (!template) return;
      const mpp = (span * 2000) / SIZE; // metres per picker pixel
      const z = Math.max(1, Math.min(19, Math.round(Math.log2((156543.03 * Math.cos((lat0 * Math.PI) / 180)) / mpp))));
      const n = Math.pow(2, z);
      const cx = ((lon0 + 180) / 360) * n * 256;
      const rad = (lat0 * Math.PI) / 180;
      const cy = ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n * 256;
      const k = ((156543.03 * Math.cos(rad)) / n) / mpp; // picker pixels per tile pixel
      const half = SIZE / 2 / k;
      for (let tx = Math.floor((cx - half) / 256); tx <= Math.floor((cx + half) / 256); tx++) {
        for (let ty = Math.floor((cy - half) / 256); ty <= Math.floor((cy + half) / 256); ty++) {
          const href = template.replace("{z}", z).replace("{x}", tx).replace("{y}", ty);
          node("image", { href, x: SIZE / 2 + (tx * 256 - cx) * k, y: SIZE / 2 + (ty * 256 - cy) * k,
                          width: 256 * k, height: 256 * k }, back);
        }
      }
    }

    function drawGrid() {
      grid.replaceChildren();
      const s = step(span);
      const px = (s * SIZE) / (2 * span);
      for (let i = -Math.floor(span / s); i <= Math.floor(span / s); i++) {
        const at = SIZE / 2 + i * px;
        node("line", { x1: at, y1: 0, x2: at, y2: SIZE, class: i === 0 ? "pin-axis" : "pin-line" }, grid);
        node("line", { x1: 0, y1: at, x2: SIZE, y2: at, class: i === 0 ? "pin-axis" : "pin-line" }, grid);
      }
      node("circle", { cx: SIZE / 2, cy: SIZE / 2, r: 4, class: "pin-centre" }, grid);
      const label = node("text", { x: SIZE / 2 + 6, y: SIZE / 2 - 6, class: "pin-label" }, grid);
      label.textContent = box.dataset.centreLabel;
      const north = node("text", { x: SIZE / 2 + 4, y: 12, class: "pin-label" }, grid);
      north.textContent = "N";
      if (scaleOut) scaleOut.textContent = `${s} ${box.dataset.kmLabel} / ▦`;
      tiles();
    }

    function place() {
      const lat = parseFloat(latIn.value);
      const lon = parseFloat(lonIn.value);
      if (Number.isNaN(lat) || Number.isNaN(lon)) { pin.setAttribute("visibility", "hidden"); return; }
      const [x, y] = toXY(lat, lon);
      pin.setAttribute("visibility", x < 0 || y < 0 || x > SIZE || y > SIZE ? "hidden" : "visible");
      pin.setAttribute("transform", `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
    }

    function point(event) {
      const rect = svg.getBoundingClientRect();
      return [((event.clientX - rect.left) * SIZE) / rect.width, ((event.clientY - rect.top) * SIZE) / rect.height];
    }

    function set(event) {
      const [lat, lon] = toLatLon(...point(event));
      latIn.value = lat.toFixed(6);
      lonIn.value = lon.toFixed(6);
      place();
    }

    let dragging = false;
    svg.addEventListener("pointerdown", (event) => { dragging = true; svg.setPointerCapture(event.pointerId); set(event); });
    svg.addEventListener("pointermove", (event) => { if (dragging) set(event); });
    svg.addEventListener("pointerup", () => { dragging = false; });
    [latIn, lonIn].forEach((input) => input.addEventListener("input", place));
    form.querySelectorAll("[data-pin-zoom]").forEach((button) => button.addEventListener("click", () => {
      const i = SPANS.indexOf(span) + (button.dataset.pinZoom === "in" ? -1 : 1);
      span = SPANS[Math.max(0, Math.min(SPANS.length - 1, i))];
      drawGrid();
      place();
    }));
    drawGrid();
    place();
  }

  function scan(root) {
    (root || document).querySelectorAll("[data-pin-picker]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", () => scan());
  document.addEventListener("htmx:load", (event) => scan(event.target));
})();
