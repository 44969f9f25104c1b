# Shared by scripts/test and scripts/demo: make sure the Debian packages a command needs are installed.
# Usage: ensure_packages "why" cmd:package [cmd:package ...]   (cmd may be an absolute path to a file the package ships)
ensure_packages() {
  local why=$1; shift
  local missing=()
  local pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    if [ "${cmd#/}" != "$cmd" ]; then
      [ -x "$cmd" ] || missing+=("$pkg")
    else
      command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing ${missing[*]} ($why)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "error: missing ${missing[*]} ($why); install with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
}

build_revision() {
  git -C "$(dirname "${BASH_SOURCE[0]}")/.." rev-parse --short HEAD 2>/dev/null || echo unknown
}

# The JDK and Maven that build the exporter.
BUILD_PACKAGES=(javac:openjdk-17-jdk-headless mvn:maven)
# A real containerd for the integration tests and the demo.
CONTAINERD_PACKAGES=(containerd:containerd runc:runc ctr:containerd busybox:busybox-static tar:tar)
# promtool lints the live scrape.
PROMETHEUS_PACKAGES=(promtool:prometheus)
# CNI plugins give a CRI pod its own network (the dashboard-13105 test's pod traffic).
CNI_PACKAGES=(/usr/lib/cni/bridge:containernetworking-plugins /usr/lib/cni/host-local:containernetworking-plugins)
# A real registry serves (and, behind a stalling proxy, holds) image pulls.
REGISTRY_PACKAGES=(docker-registry:docker-registry htpasswd:apache2-utils)

JOURNAL_PACKAGES=(journalctl:systemd /lib/systemd/systemd-journal-remote:systemd-journal-remote)
# The node page test loads / in a real browser (headless) and takes its screenshot.
BROWSER_PACKAGES=(chromium:chromium)
# ImageIT builds the Dockerfile with podman (vfs storage) from debootstrapped stand-ins of its base images.
IMAGE_PACKAGES=(podman:podman debootstrap:debootstrap)
# The compatibility matrix's cgroup v2 cells: a Debian trixie guest built by debootstrap, run by QEMU (TCG).
GUEST_PACKAGES=(debootstrap:debootstrap qemu-system-x86_64:qemu-system-x86 mkfs.ext4:e2fsprogs)
