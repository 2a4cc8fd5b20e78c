#!/bin/sh
# docker-slim.sh — run once by the Dockerfile's `rootfs` stage, as root, on the base image
# with /opt/venv copied in; the final stage copies the result as a single layer, so what is
# removed here is really gone from the image (a later layer cannot shrink an earlier one).
#
# It adds the runtime user, warms the catalog cache, then drops what serving never uses:
# pip/setuptools/wheel and ensurepip (the image never installs anything), apt and perl,
# glibc's iconv modules, documentation, man pages and translations, the stdlib's GUI/2to3/test parts, test
# folders inside dependencies, Faker's locales but en_US and its fallbacks (the server calls
# Faker() with its default, en_US), and finally compiles every remaining module to bytecode
# (unchecked-hash: valid whatever the files' mtimes after the copy; the container runs
# with PYTHONDONTWRITEBYTECODE, so nothing is compiled at start).
# Works on python:*-slim (Python under /usr/local) and on Debian's python3 (under /usr).
set -eu

VENV=/opt/venv
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
STDLIB=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')

# ---- the runtime user, the scenario mount point, the warm catalog cache
groupadd --system --gid 10001 mockserver
useradd --system --uid 10001 --gid mockserver --no-create-home \
  --home-dir /nonexistent --shell /usr/sbin/nologin mockserver
mkdir -p /scenarios /opt/mockserver-cache
XDG_CACHE_HOME=/opt/mockserver-cache "$VENV/bin/mockserver" catalog list --vendor yeastar >/dev/null
chmod -R a+rX /opt/mockserver-cache

# ---- Python packaging tools, system-wide and in the venv
if command -v dpkg >/dev/null; then
  # Debian's python3-pip & co. (the debootstrapped base); absent packages are skipped
  pkgs=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' \
           python3-pip python3-pip-whl python3-setuptools python3-setuptools-whl \
           python3-wheel python3-venv python3.11-venv python3-pkg-resources 2>/dev/null |
         awk '$1 == "ii" {print $2}')
  if [ -n "$pkgs" ]; then
    # shellcheck disable=SC2086  # a list of package names
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs >/dev/null
  fi
  # the package manager itself and what only it uses (the image installs nothing, and an
  # image built FROM this one that needs packages starts from the base instead); perl-base
  # only runs maintainer scripts. Forced: they are Essential, and dpkg goes last of all.
  for pkg in apt libapt-pkg6.0 gpgv debian-archive-keyring libgnutls30 e2fsprogs perl-base; do
    if dpkg-query -W "$pkg" >/dev/null 2>&1; then
      dpkg --purge --force-remove-essential --force-depends "$pkg" >/dev/null 2>&1
    fi
  done
fi
rm -rf "$STDLIB/ensurepip" /usr/share/python-wheels \
  "$VENV"/bin/pip* "$VENV"/lib/python3*/site-packages/pip* \
  "$VENV"/lib/python3*/site-packages/setuptools* "$VENV"/lib/python3*/site-packages/_distutils_hack \
  "$VENV"/lib/python3*/site-packages/pkg_resources "$VENV"/include \
  "$VENV"/lib/python3*/site-packages/distutils-precedence.pth
for dir in /usr/local/lib/python3*/site-packages; do
  [ -d "$dir" ] && rm -rf "$dir"/pip "$dir"/pip-* "$dir"/setuptools* "$dir"/wheel "$dir"/wheel-*
done
rm -f /usr/local/bin/pip*

# ---- the stdlib's parts a server never imports
rm -rf "$STDLIB/idlelib" "$STDLIB/tkinter" "$STDLIB/turtledemo" "$STDLIB/lib2to3" \
  "$STDLIB/test" "$STDLIB/unittest/test" "$STDLIB/pydoc_data" "$STDLIB/config-"*

# ---- dependencies' own test suites and Faker's other locales
find "$SITE" -depth -type d \( -name tests -o -name test \) -path "$SITE/*" \
  ! -path "$SITE/mockserver/*" -exec rm -rf {} +
# kept: en, en_US and each provider's default_locale (its fallback: bank's is en_GB)
keep=$("$VENV/bin/python" - <<'PY'
import importlib, pkgutil
import faker.providers as providers
keep = {"en", "en_US"}
for info in pkgutil.iter_modules(providers.__path__):
    module = importlib.import_module(f"faker.providers.{info.name}")
    keep.add(getattr(module, "default_locale", "en_US"))
print(" ".join(sorted(keep)))
PY
)
for dir in "$SITE"/faker/providers/*/*/; do
  name=$(basename "$dir")
  case " $keep __pycache__ " in *" $name "*) ;; *) rm -rf "$dir" ;; esac
done
"$VENV/bin/python" -c 'from faker import Faker; Faker().name()'  # every provider still loads

# ---- package manager state, documentation, translations, logs; glibc's iconv modules
# (Python's codecs are its own)
rm -rf /usr/lib/*-linux-gnu/gconv /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/log/* \
  /usr/share/doc /usr/share/man /usr/share/info /usr/share/lintian /usr/share/locale \
  /root/.cache /tmp/* /var/tmp/*

# ---- bytecode for everything that is left, stale caches first
find / -xdev -depth -type d -name __pycache__ -exec rm -rf {} +
"$VENV/bin/python" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$STDLIB" "$SITE" >/dev/null
