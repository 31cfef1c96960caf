#!/usr/bin/env bash
# Installs what tests/editors/test_vscode.py needs: code-server (VS Code's own server build,
# from npm) and Debian's headless-capable Chromium to open its workbench; then puts coro-ls and
# its pinned dependencies into the extension (editors/vscode/bundled/libs, from PyPI with pip,
# as `vsce package` does), so that the tests find the bundle made.  Runs as root under .ci/run
# after `apt-get update`, with the CI virtual environment active; idempotent, and quick when
# everything is already there.
#
# code-server 4.100.3 (VS Code 1.100.3) is the newest release that accepts Node 20.  Its
# install scripts would download ripgrep and argon2 binaries from GitHub, which this machine
# cannot reach, so the install runs with scripts off and the native parts are built here.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
REPO="$(cd "$(dirname "$0")/.." && pwd)"

log() { echo "setup-vscode: $*"; }

apt_install() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "apt-get install ${missing[*]}"
        # Other setup scripts may hold the dpkg lock briefly.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -o DPkg::Lock::Timeout=300 "${missing[@]}"
    fi
}

installed_code_server_version() {
    command -v code-server >/dev/null 2>&1 || return 0
    code-server --version 2>/dev/null | awk 'NR == 1 { print $1 }' || true
}

# chromium opens the workbench; ripgrep replaces the rg binary @vscode/ripgrep would download;
# libkrb5-dev and a C++ toolchain build the `kerberos`, node-pty and argon2 native modules.
apt_install chromium ripgrep libkrb5-dev g++ make python3

bundle() {
    log "bundling coro-ls into editors/vscode/bundled/libs"
    (cd "$REPO/editors/vscode" && python3 scripts/bundle.py)
}

if [ "$(installed_code_server_version)" = "$CODE_SERVER_VERSION" ]; then
    log "code-server $CODE_SERVER_VERSION already installed"
    bundle
    exit 0
fi

command -v npm >/dev/null 2>&1 || { log "npm is required (Node 20)"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
    log "code-server $CODE_SERVER_VERSION needs Node 20, found $(node --version)"
    exit 1
fi

export npm_config_yes=true            # node-pty's build runs `npx node-gyp`
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

log "npm install -g code-server@$CODE_SERVER_VERSION (scripts off)"
npm install -g --ignore-scripts "code-server@$CODE_SERVER_VERSION"
root="$(npm root -g)/code-server"

# The steps of code-server's postinstall.sh, with the downloads replaced.
log "building argon2 from source"
(cd "$root" && npm_config_build_from_source=true npm rebuild argon2)

log "installing VS Code's dependencies"
cd "$root/lib/vscode"
npm install --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin   # its postinstall skips the download when bin/ exists
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild
rm -rf node_modules.asar && ln -s node_modules node_modules.asar
(cd bin/remote-cli && rm -f code-server && ln -s code-linux.sh code-server)
(cd bin/helpers && rm -f browser.sh && ln -s browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev)

log "installed: $(code-server --version | head -n 1)"

bundle
