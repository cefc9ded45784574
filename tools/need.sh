#!/bin/sh
# What `make TARGET` needs from the system, checked before anything is installed or started.
# When something is missing it prints the one `sudo apt-get install ...` line naming the Debian
# packages (the README's Quick start names the same) and exits 1; otherwise it prints nothing.
#
#   sh tools/need.sh test|serve|lab|handouts|slides
#
# test:            npm (reveal.js), pdftotext and pdfinfo (poppler-utils), zbarimg (zbar-tools),
#                  chromium, soffice (libreoffice-calc-nogui), caddy, the Thai fonts (fonts-thai-tlwg);
#                  haproxy and pgbouncer too when GECC_TEST_POSTGRES_URL is set (tests/test_cluster.py)
# serve, lab, handouts: a Chromium-family browser (PDFs: "my report", handouts) and a Thai font
# slides:          npm
# every target:    python3-venv when .venv is still to be made
set -u
target=${1:-test}
python=${PYTHON:-python3}
tools=""     # what is missing, for the message
packages=""  # the Debian packages that bring it, each once

need() {  # need WHAT PACKAGE
  tools="${tools:+$tools, }$1"
  case " $packages " in
    *" $2 "*) ;;
    *) packages="$packages $2" ;;
  esac
}

has() { command -v "$1" >/dev/null 2>&1; }

tool() {  # tool COMMAND PACKAGE
  has "$1" || need "$1" "$2"
}

browser() {  # printing.find_browser's candidates, or $GECC_BROWSER
  if [ -n "${GECC_BROWSER:-}" ]; then
    has "$GECC_BROWSER" || [ -x "$GECC_BROWSER" ]
    return
  fi
  for b in chromium-headless-shell chromium chromium-browser google-chrome google-chrome-stable microsoft-edge brave-browser; do
    has "$b" && return 0
  done
  for b in "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" "/Applications/Chromium.app/Contents/MacOS/Chromium"; do
    [ -x "$b" ] && return 0
  done
  return 1
}

thai_font() {  # a Thai font for the PDFs (fontconfig); the tests want the TLWG fonts themselves
  if [ "$1" = tlwg ]; then
    has fc-list && fc-list 2>/dev/null | grep -qi loma
  else
    ! has fc-list || [ -n "$(fc-list :lang=th family 2>/dev/null)" ]
  fi
}

if [ ! -x .venv/bin/python ] && ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
  need "python venv" python3-venv
fi

case "$target" in
  test)
    tool npm npm
    tool pdftotext poppler-utils
    tool pdfinfo poppler-utils
    tool zbarimg zbar-tools
    tool chromium chromium
    tool soffice libreoffice-calc-nogui
    tool caddy caddy
    thai_font tlwg || need "Thai fonts" fonts-thai-tlwg
    if [ -n "${GECC_TEST_POSTGRES_URL:-}" ]; then
      tool haproxy haproxy
      tool pgbouncer pgbouncer
    fi
    ;;
  serve | lab | handouts)
    browser || need "a Chromium-family browser" chromium
    thai_font any || need "Thai fonts" fonts-thai-tlwg
    ;;
  slides)
    tool npm npm
    ;;
  *)
    echo "tools/need.sh: unknown target '$target' (test, serve, lab, handouts or slides)" >&2
    exit 2
    ;;
esac

[ -z "$packages" ] && exit 0
echo "make $target needs what this machine does not have: $tools." >&2
if has apt-get || [ -f /etc/debian_version ]; then
  echo "Install what is missing (Debian/Ubuntu), then run make $target again:" >&2
  echo "  sudo apt-get install$packages" >&2
else
  echo "Install them with your system's package manager (Debian names:$packages), then run make $target again." >&2
fi
exit 1
