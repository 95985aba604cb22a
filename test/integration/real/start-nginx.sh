#!/usr/bin/env bash
# Runs nginx, a real web server, in the foreground for the real-policies integration test: one HTTPS server
# (TLS with the given certificate chain and key) on one loopback address and port, serving the files under
# WEBROOT for the name SERVER_NAME, `.txt` as `text/plain`. Every file (config, pid, logs, temp) under DIR.
#
#   start-nginx.sh DIR ADDR PORT SERVER_NAME CERT_CHAIN_PEM KEY_PEM WEBROOT
#
# Checks the configuration first (nginx -t), then replaces itself with nginx (daemon off): the caller stops it
# by signalling this process (SIGTERM: fast shutdown). Exit 1 when the check fails, 2 bad usage.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

if [ "$#" -ne 7 ]; then
  echo "usage: $0 DIR ADDR PORT SERVER_NAME CERT_CHAIN_PEM KEY_PEM WEBROOT" >&2
  exit 2
fi
dir=$1
addr=$2
port=$3
name=$4
cert=$5
key=$6
root=$7
case "$addr" in 127.*) ;; *) echo "start-nginx: ADDR must be a 127.x address, not $addr" >&2; exit 2 ;; esac
case "$port" in '' | *[!0-9]*) echo "start-nginx: bad port $port" >&2; exit 2 ;; esac
case "$dir" in /*) ;; *) echo "start-nginx: DIR must be absolute" >&2; exit 2 ;; esac

mkdir -p "$dir/tmp"
# The workers run as nobody: they must reach the web root.
chmod 755 "$dir"
chmod -R a+rX "$root"
conf=$dir/nginx.conf
cat >"$conf" <<EOF
# mxsurvey real-policies lab: serves one MTA-STS policy over HTTPS, on loopback only.
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;

events {
  worker_connections 64;
}

http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server_tokens off;
  types {
    text/plain txt;
  }
  default_type application/octet-stream;

  server {
    listen $addr:$port ssl;
    server_name $name;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    root $root;
    location / {
      try_files \$uri =404;
    }
  }
}
EOF

nginx -t -q -e "$dir/error.log" -p "$dir/" -c "$conf"
exec nginx -e "$dir/error.log" -p "$dir/" -c "$conf"
