"""What accounts provides to the layer below it (core/hooks.py): who a user is, for scoping and the API."""

from accounts.principal import authenticate_token, principal_of
from core import api, scoping

scoping.principal_of.register(principal_of)
api.token_user.register(authenticate_token)
