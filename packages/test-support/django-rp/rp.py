"""A minimal Django site that signs its users in with mozilla-django-oidc, as Open Zaak and Open
Klant do for their admin: the library's own views (/oidc/authenticate/, /oidc/callback/), its
authentication backend (users matched and made by e-mail), PKCE and a nonce, and the id token kept
in the session. /whoami answers who is signed in, with the id token's claims. `rp.py verify` runs
the library's backend on tokens handed to it on stdin (see verify_tokens).

Configured by the environment: RP_PORT, RP_ISSUER (the realm's URL as browsers reach it),
RP_CLIENT_ID, RP_CLIENT_SECRET, RP_STATE_DIR (its SQLite database).
"""
import base64
import json
import os
import secrets
import sys

from django.conf import settings

issuer = os.environ["RP_ISSUER"].rstrip("/")
endpoint = issuer + "/protocol/openid-connect/"

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    SECRET_KEY=secrets.token_urlsafe(48),
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "mozilla_django_oidc",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(os.environ["RP_STATE_DIR"], "rp.sqlite3"),
        }
    },
    AUTHENTICATION_BACKENDS=["mozilla_django_oidc.auth.OIDCAuthenticationBackend"],
    OIDC_RP_CLIENT_ID=os.environ["RP_CLIENT_ID"],
    OIDC_RP_CLIENT_SECRET=os.environ["RP_CLIENT_SECRET"],
    OIDC_RP_SIGN_ALGO="RS256",
    OIDC_RP_SCOPES="openid email profile",
    OIDC_OP_AUTHORIZATION_ENDPOINT=endpoint + "auth",
    OIDC_OP_TOKEN_ENDPOINT=endpoint + "token",
    OIDC_OP_USER_ENDPOINT=endpoint + "userinfo",
    OIDC_OP_JWKS_ENDPOINT=endpoint + "certs",
    OIDC_USE_PKCE=True,
    OIDC_STORE_ID_TOKEN=True,
    LOGIN_REDIRECT_URL="/whoami",
    LOGIN_REDIRECT_URL_FAILURE="/failed",
    LOGGING_CONFIG=None,
    USE_TZ=True,
)

import django  # noqa: E402

django.setup()

from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def claims_of(id_token):
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def whoami(request):
    if not request.user.is_authenticated:
        return JsonResponse({"signedIn": False}, status=401)
    return JsonResponse(
        {
            "signedIn": True,
            "username": request.user.username,
            "email": request.user.email,
            "claims": claims_of(request.session["oidc_id_token"]),
        }
    )


def failed(request):
    return JsonResponse({"signedIn": False, "failed": True}, status=403)


urlpatterns = [
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("whoami", whoami),
    path("failed", failed),
]

def verify_tokens(checks):
    """What the library's backend does with tokens it is handed, without a browser: the ID token
    verified (verify_token: signature, algorithm, expiry; no nonce expected from a password grant),
    then the user's claims read from the userinfo endpoint with the access token and checked
    (get_userinfo, verify_claims), as its callback view does before it signs a user in. A check
    without an ID token is a bearer token alone, as the library's DRF authentication class reads it."""
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend

    backend = OIDCAuthenticationBackend()
    results = []
    for check in checks:
        result = {"name": check["name"]}
        try:
            if check.get("id_token"):
                payload = backend.verify_token(check["id_token"], nonce=None)
            else:
                # A bearer token alone, as the library's DRF authentication gets it (Open Zaak's API
                # receiving a token another consumer exchanged for it): userinfo decides.
                payload = {}
            userinfo = backend.get_userinfo(check["access_token"], check.get("id_token"), payload)
            result.update(
                accepted=bool(backend.verify_claims(userinfo)),
                sub=payload.get("sub", userinfo.get("sub")),
                aud=payload.get("aud"),
                userinfo=userinfo,
            )
        except Exception as error:  # the library's refusals: SuspiciousOperation, HTTPError, jwt errors
            result.update(accepted=False, error=f"{type(error).__name__}: {error}")
        results.append(result)
    return results


if __name__ == "__main__" and sys.argv[1:] == ["verify"]:
    json.dump(verify_tokens(json.load(sys.stdin)), sys.stdout)
elif __name__ == "__main__":
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("runserver", f"127.0.0.1:{os.environ['RP_PORT']}", use_reloader=False, use_threading=True)
