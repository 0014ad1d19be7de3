#!/bin/sh
# A certificate from /etc/nginx/tls (fullchain.pem and privkey.pem, mounted by the operator), or
# a self-signed one for TLS_SERVER_NAME made here when none is there; then nginx as PID 1.
set -eu
tls=/etc/nginx/tls
name=${TLS_SERVER_NAME:-localhost}
if [ ! -s "$tls/fullchain.pem" ] || [ ! -s "$tls/privkey.pem" ]; then
  echo "proxy: no certificate in $tls, making a self-signed one for $name" >&2
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=$name" \
    -addext "subjectAltName=DNS:$name" -keyout "$tls/privkey.pem" -out "$tls/fullchain.pem" 2>/dev/null ||
    { echo "proxy: cannot write to $tls: mount fullchain.pem and privkey.pem there" >&2; exit 1; }
  chmod 600 "$tls/privkey.pem"
fi
# The port clients use for https, in the redirects from port 80.
port=${PUBLIC_HTTPS_PORT:-443}
suffix=""
[ "$port" = 443 ] || suffix=":$port"
sed "s/@HTTPS_PORT_SUFFIX@/$suffix/g" /etc/nginx/onboarding.conf.template > /etc/nginx/conf.d/onboarding.conf
exec nginx -g "daemon off;"
