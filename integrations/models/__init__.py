from integrations.models.iot import DeviceAlert, DeviceSecret, UsageReading
from integrations.models.rejections import RejectedRequest
from integrations.models.wechat import WeChatAccount, WeChatLink, WeChatMessage, WeChatNonce

__all__ = ["DeviceAlert", "DeviceSecret", "RejectedRequest", "UsageReading", "WeChatAccount",
           "WeChatLink", "WeChatMessage", "WeChatNonce"]
