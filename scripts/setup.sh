#!/usr/bin/env bash
# Installs what e2ctwin and its tests need, only when it is missing, then builds dist/.
# `npm test` runs this first (pretest), so a fresh clone needs nothing else.
# Debian packages are installed with apt-get when running as root and they are absent.
#   --sim-only  what simulating needs: npm dependencies and dist/, none of the tests' Debian packages
#   --dry-run   print what would be installed or run, change nothing
set -euo pipefail
cd "$(dirname "$0")/.."
sim_only=0 dry_run=0
for arg in "$@"; do
  case "$arg" in
    --sim-only) sim_only=1 ;;
    --dry-run) dry_run=1 ;;
    *) echo "setup: unknown option $arg (options: --sim-only, --dry-run)" >&2; exit 2 ;;
  esac
done

# Debian packages the test suite uses (later issues append to this list).
DEBIAN_PACKAGES=()
DEBIAN_PACKAGES+=(chromium)   # the browser view's end-to-end test (test/e2e/) drives headless Chromium
# live mode (test/live/, test/conformance/): namespaces, tc, nftables, an sshd per host, socat bridges, busybox services, Docker
DEBIAN_PACKAGES+=(redis-server)   # distributed studies (test/explore/backend-redis.test.ts, the queue benchmark): a private Redis
DEBIAN_PACKAGES+=(iproute2 nftables openssh-server socat busybox-static docker.io tar util-linux iputils-ping)
# third-party systems the twin is validated against on the live testbed (issue 24, calibration/nginx/ and
# calibration/image-service/): nginx serving static files; a gunicorn + Flask + Pillow image service.
# nginx-light is enough (static files, Range); the image service runs Debian's python3, which has Flask and PIL.
DEBIAN_PACKAGES+=(nginx-light gunicorn python3-flask python3-pil)
# the kernel benchmark's peer (npm run bench, bench/peers/mmc_simpy.py): the same M/M/4 model in SimPy 3.
DEBIAN_PACKAGES+=(python3-simpy3)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Simulating needs Node only: the Debian packages serve live mode, the browser tests and distributed studies.
if [ "$sim_only" = 1 ]; then missing=(); DEBIAN_PACKAGES=(); fi
if [ "$dry_run" = 1 ]; then
  echo "setup (dry run): Debian packages checked: ${DEBIAN_PACKAGES[*]:-none}"
  echo "setup (dry run): Debian packages to install: ${missing[*]:-none}"
fi
if [ ${#missing[@]} -gt 0 ] && [ "$dry_run" = 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (install them as root): ${missing[*]}" >&2
  fi
fi

# npm dependencies: reinstall when the lockfile changed since the last install.
stamp=node_modules/.e2ctwin-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  [ "$dry_run" = 1 ] && { echo "setup (dry run): would run npm ci, then npm run build"; exit 0; }
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# dist/ is what the e2ctwin command runs; rebuild it every time (esbuild takes about a second).
[ "$dry_run" = 1 ] && { echo "setup (dry run): would run npm run build"; exit 0; }
npm run --silent build
