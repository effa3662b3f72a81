"""What integrations plugs into the layers below it (core/hooks.py): the WeChat channel of customer messages."""

from integrations.wechat_messages import WeChatChannel
from notifications.channels import channels

channels.register(WeChatChannel())
