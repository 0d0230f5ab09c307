#!/usr/bin/env bash
# Serves the sample site with a real nginx on 127.0.0.1 under /bulletin/ (the
# configuration of docs/serving.md) and crawls it from the home page,
# following every href and src: every page and asset must answer 200, text
# must be declared UTF-8, and no link may point outside /bulletin/.
#
# Usage: nginx_crawl.sh BULLETIN_EXE SOURCE_DIR
# Needs: bash, curl, grep, sed, nginx (Debian: nginx-light or nginx).
set -euo pipefail

exe=${1:?usage: nginx_crawl.sh BULLETIN_EXE SOURCE_DIR}
src=${2:?usage: nginx_crawl.sh BULLETIN_EXE SOURCE_DIR}
prefix=/bulletin/

nginx_bin=$(command -v nginx || true)
[[ -z $nginx_bin && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
if [[ -z $nginx_bin ]]; then
  echo "nginx_crawl: nginx is not installed (apt-get install nginx-light)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/bulletin-nginx-XXXXXX)
nginx_pid=
cleanup() {
  if [[ -n $nginx_pid ]]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The sample project, published under /bulletin/.
mkdir -p "$work/project"
cp "$src/bulletin.yaml" "$work/project/"
for d in content data templates archive; do
  [[ -d $src/$d ]] && cp -r "$src/$d" "$work/project/"
done
sed -i 's|^base_path:.*|base_path: /bulletin/|' "$work/project/bulletin.yaml"
"$exe" build "$work/project" -o "$work/site" >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  echo "nginx_crawl: the sample project does not build" >&2
  exit 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_nginx() {
  local port=$1
  mkdir -p "$work/nginx/tmp" "$work/nginx/logs"
  cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    location = /bulletin { return 301 /bulletin/; }
    location /bulletin/ {
      alias $work/site/;
      index index.html;
      include /etc/nginx/mime.types;
      types { text/csv csv; }
      charset utf-8;
      charset_types text/css text/plain text/csv text/xml application/json
                    application/xml application/atom+xml application/javascript;
      error_page 404 /bulletin/404.html;
      add_header Cache-Control "no-cache" always;
      location ~* \.(css|js|mjs|png|jpe?g|gif|svg|ico|woff2?)$ {
        add_header Cache-Control "public, max-age=86400" always;
      }
    }
  }
}
EOF
  "$nginx_bin" -e "$work/nginx/logs/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 50); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then return 0; fi
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=
  return 1
}

port=
for _ in $(seq 20); do
  candidate=$((20000 + RANDOM % 30000))
  port_free "$candidate" || continue
  if start_nginx "$candidate"; then port=$candidate; break; fi
done
if [[ -z $port ]]; then
  cat "$work/nginx/logs/error.log" >&2 || true
  echo "nginx_crawl: could not start nginx on a free port" >&2
  exit 1
fi
origin="http://127.0.0.1:$port"
echo "nginx_crawl: serving $work/site at $origin$prefix"

# Resolves `link` against the folder of `page` (both absolute paths),
# decoding %XX escapes and removing . and ..; the result goes to $resolved.
# No subshells: this runs for every link of every page.
resolve() {
  local page=$1 link path decoded
  printf -v decoded '%b' "${2//%/\\x}"
  link=$decoded
  if [[ $link == /* ]]; then path=$link; else path=${page%/*}/$link; fi
  local -a parts=() out=()
  IFS=/ read -r -a parts <<<"$path"
  local p
  for p in "${parts[@]}"; do
    case $p in
      '' | .) ;;
      ..) ((${#out[@]})) && unset 'out[${#out[@]}-1]' ;;
      *) out+=("$p") ;;
    esac
  done
  local IFS=/
  resolved="/${out[*]}"
  [[ $path == */ && ${#out[@]} -gt 0 ]] && resolved+=/
  return 0
}

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

declare -A seen=() from=()
queue=("$prefix")
seen[$prefix]=1
pages=0
assets=0
while ((${#queue[@]})); do
  url=${queue[0]}
  queue=("${queue[@]:1}")
  read -r code type < <(curl -s -o "$work/body" -w '%{http_code} %{content_type}\n' "$origin$url" || echo "000 -")
  if [[ $code != 200 ]]; then
    fail "$url answered $code (linked from ${from[$url]:-the start})"
    continue
  fi
  case $url in
    */ | *.html | *.css | *.csv | *.json | *.xml | *.txt | *.js)
      [[ $type == *"charset=utf-8"* ]] || fail "$url is served as '$type', without charset=utf-8" ;;
  esac
  if [[ $type != text/html* ]]; then
    assets=$((assets + 1))
    continue
  fi
  pages=$((pages + 1))
  while IFS= read -r link; do
    link=${link//&amp;/&}
    case $link in
      data:* | javascript:* | mailto:* | tel:*) continue ;;
      http:* | https:* | //*) fail "$url links outside the site: $link"; continue ;;
      '#'*) continue ;;
    esac
    target=${link%%#*}
    target=${target%%\?*}
    [[ -z $target ]] && continue
    resolve "$url" "$target"
    target=$resolved
    if [[ $target != "$prefix"* ]]; then
      fail "$url links outside $prefix: $link (resolves to $target)"
      continue
    fi
    if [[ -z ${seen[$target]:-} ]]; then
      seen[$target]=1
      from[$target]=$url
      queue+=("$target")
    fi
  done < <(grep -oE '(href|src)="[^"]*"' "$work/body" | sed -E 's/^(href|src)="//; s/"$//')
done

echo "nginx_crawl: crawled $pages pages and $assets other files"
if ((pages < 10)); then fail "only $pages pages were reachable from the home page"; fi
if ((failures)); then
  echo "nginx_crawl: $failures problems" >&2
  exit 1
fi
echo "nginx_crawl: OK"
