"""Customer portal pages: thin adapters over portal.otp/services, the intake functions and feedback."""
