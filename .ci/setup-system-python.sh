#!/usr/bin/env bash
# README's Quick start names one prerequisite a stock Debian lacks: python3-venv, without which
# the system's `python3 -m venv` stops ("ensurepip is not available").
# tests/install/test_quick_start.py runs the Quick start with that system python3.  Idempotent.
set -euo pipefail

[ -x /usr/bin/python3 ] && command -v dpkg-query >/dev/null 2>&1 || exit 0
if ! dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed"; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 python3-venv >/dev/null
fi
/usr/bin/python3 -c 'import ensurepip, venv' && echo "system python3: $(/usr/bin/python3 --version), venv ok"
