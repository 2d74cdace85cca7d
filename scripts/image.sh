#!/usr/bin/env bash
# Build okebot's container image with buildah (no Docker engine needed) and smoke-test it.
#
#   scripts/image.sh deps    install Debian's buildah and debootstrap with apt-get (once; idempotent)
#   scripts/image.sh base    build localhost/okebot-base:bookworm from Debian packages, unless it exists
#   scripts/image.sh build   build the image from deploy/Dockerfile (BASE_IMAGE, default python:3.12-slim)
#   scripts/image.sh smoke   run the smoke test on the image already built
#   scripts/image.sh test    base (if missing) + build on it + run the image as UID 10001 on a read-only root
#
# Settings (environment): BASE_IMAGE, IMAGE (default localhost/okebot:<version>), DEBIAN_MIRROR (default: the
# Debian mirror apt-get uses here), CA_BUNDLE (default /etc/ssl/certs/ca-certificates.crt: the build's pip
# trusts what this machine trusts, which matters behind a TLS-inspecting proxy).
# buildah runs with the vfs storage driver and chroot isolation, which work as root without a daemon,
# without fuse and inside another container. It is slow (vfs copies every layer), so this is not part of
# `make test`; see docs/deploy.md for the measured time.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -n1)
IMAGE=${IMAGE:-localhost/okebot:$VERSION}
LOCAL_BASE=localhost/okebot-base:bookworm
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
UID_GID=10001:10001
BUILDAH=(buildah --storage-driver vfs)

# Work directories and containers to remove when the script ends, however it ends.
TMP_DIRS=() CONTAINERS=()
cleanup() {
  local ctr dir
  for ctr in "${CONTAINERS[@]}"; do "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true; done
  for dir in "${TMP_DIRS[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'image.sh: %s\n' "$*" >&2; exit 1; }

deps() {
  local missing=()
  command -v buildah >/dev/null || missing+=(buildah)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  if [ ${#missing[@]} -eq 0 ]; then return; fi
  [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root (apt-get); run as root or install them first"
  command -v apt-get >/dev/null || die "no apt-get: install ${missing[*]} with this system's package manager"
  say "installing ${missing[*]} with apt-get"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" uidmap
}

# The Debian mirror apt-get uses on this machine (deb822 or one-line sources), else deb.debian.org.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local found
  found=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *\(http[^ ]*\/debian\)\/\?$/\1/p' | head -n1)
  if [ -z "$found" ]; then
    found=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | sed -n 's/^deb \(\[[^]]*\] \)\?\(http[^ ]*\/debian\)\/\? .*/\2/p' | head -n1)
  fi
  echo "${found:-http://deb.debian.org/debian}"
}

image_exists() { "${BUILDAH[@]}" inspect --type image "$1" >/dev/null 2>&1; }

base() {
  deps
  if image_exists "$LOCAL_BASE"; then say "$LOCAL_BASE exists"; return; fi
  local mirror root ctr
  mirror=$(debian_mirror)
  root=$(mktemp -d /var/tmp/okebot-base.XXXXXX)
  TMP_DIRS+=("$root")
  say "debootstrap bookworm from $mirror (python3, python3-venv, python3-pip, ca-certificates)"
  debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    bookworm "$root/rootfs" "$mirror" >"$root/debootstrap.log" 2>&1 \
    || { tail -n 30 "$root/debootstrap.log" >&2; die "debootstrap failed (mirror $mirror; set DEBIAN_MIRROR)"; }
  rm -rf "$root/rootfs/var/cache/apt/archives/"*.deb "$root/rootfs/var/lib/apt/lists/"*
  tar -C "$root/rootfs" --numeric-owner -cf "$root/rootfs.tar" .
  ctr=$("${BUILDAH[@]}" from scratch)
  CONTAINERS+=("$ctr")
  "${BUILDAH[@]}" add "$ctr" "$root/rootfs.tar" / >/dev/null
  "${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd python3 \
    --label org.opencontainers.image.description="Debian bookworm minbase with python3, venv, pip (okebot smoke-test base)" \
    "$ctr"
  "${BUILDAH[@]}" commit --rm "$ctr" "$LOCAL_BASE" >/dev/null
  say "built $LOCAL_BASE"
}

build() {
  deps
  local base_image=${BASE_IMAGE:-python:3.12-slim}
  local secret=()
  if [ -s "$CA_BUNDLE" ]; then secret=(--secret "id=ca_bundle,src=$CA_BUNDLE"); fi
  say "building $IMAGE on $base_image"
  "${BUILDAH[@]}" build --isolation chroot --layers=false \
    --build-arg "BASE_IMAGE=$base_image" \
    --build-arg "VERSION=$VERSION" \
    --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "${secret[@]}" -f deploy/Dockerfile -t "$IMAGE" .
  say "built $IMAGE ($("${BUILDAH[@]}" images --format '{{.Size}}' "$IMAGE"))"
}

# Run the image's command (entrypoint + args) the way a pod with readOnlyRootFilesystem runs it: the root
# filesystem bind-mounted read-only, a fresh tmpfs on /tmp, the image's user and environment.
run_readonly() {
  local mnt=$1; shift
  local env_args=()
  while IFS= read -r line; do [ -n "$line" ] && env_args+=("$line"); done \
    < <(image_config | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin).get("Env", [])))')
  local root rc=0
  root=$(mktemp -d /var/tmp/okebot-ro.XXXXXX)
  # A private mount namespace: the mounts below vanish with it, so nothing is left mounted on this machine.
  unshare --mount --propagation private -- bash -euc '
    mnt=$1 root=$2 user=$3; shift 3
    mount --bind "$mnt" "$root"
    mount -o remount,bind,ro "$root"
    mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    exec chroot --userspec="$user" "$root" /usr/bin/env -i "$@"
  ' _ "$mnt" "$root" "$UID_GID" "${env_args[@]}" "$@" || rc=$?
  rmdir "$root"   # an empty mount point (rmdir, never rm -r: it refuses anything but an empty directory)
  return "$rc"
}

# The image's OCI config as JSON (buildah 1.28's --format has no json function).
image_config() { "${BUILDAH[@]}" inspect --type image "$IMAGE" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["OCIv1"]["config"]))'; }

smoke() {
  local ctr mnt out rc
  say "checking the image's configuration (user, entrypoint, command, labels, environment)"
  image_config | python3 -c '
import json, sys
config, uid_gid = json.load(sys.stdin), sys.argv[1]
problems = []
user, entrypoint, cmd = config.get("User"), config.get("Entrypoint"), config.get("Cmd")
if user != uid_gid:
    problems.append(f"user is {user!r}, not {uid_gid}")
if entrypoint != ["okebot"] or cmd != ["serve"]:
    problems.append(f"entrypoint/cmd are {entrypoint} {cmd}, not [okebot] [serve]")
labels = config.get("Labels") or {}
for label in ("title", "description", "version", "revision", "created", "licenses"):
    if not labels.get("org.opencontainers.image." + label):
        problems.append("no org.opencontainers.image." + label + " label")
env = dict(item.split("=", 1) for item in config.get("Env", []))
for name, value in {"HOME": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib", "PYTHONDONTWRITEBYTECODE": "1",
                    "PYTHONUNBUFFERED": "1"}.items():
    if env.get(name) != value:
        problems.append(f"{name} is {env.get(name)!r}, not {value!r}")
if problems:
    sys.exit("image.sh: " + "; ".join(problems))
print("user", config["User"], "entrypoint", config["Entrypoint"], "cmd", config["Cmd"])
' "$UID_GID"

  ctr=$("${BUILDAH[@]}" from "$IMAGE")
  CONTAINERS+=("$ctr")
  say "buildah run --user $UID_GID: okebot --version"
  out=$("${BUILDAH[@]}" run --isolation chroot --user "$UID_GID" --mount type=tmpfs,destination=/tmp "$ctr" -- okebot --version)
  [ "$out" = "okebot $VERSION" ] || die "okebot --version printed '$out', not 'okebot $VERSION'"
  echo "$out"

  mnt=$("${BUILDAH[@]}" mount "$ctr")
  say "read-only root, user $UID_GID: okebot clusters --source demo"
  rc=0; out=$(run_readonly "$mnt" okebot clusters --source demo) || rc=$?
  echo "$out"
  [ "$rc" -eq 1 ] || die "okebot clusters --source demo exited $rc; expected 1 (the demo has error findings)"
  for cluster in payments-native retail-flannel platform-healthy analytics; do
    grep -q "$cluster" <<<"$out" || die "okebot clusters --source demo did not list $cluster"
  done

  say "read-only root, user $UID_GID: the image's own entrypoint and command (okebot serve), without Slack tokens"
  local default_command=()
  mapfile -t default_command < <(image_config | python3 -c 'import json, sys; c = json.load(sys.stdin); print("\n".join(c["Entrypoint"] + c["Cmd"]))')
  rc=0; out=$(run_readonly "$mnt" "${default_command[@]}" 2>&1) || rc=$?
  echo "$out"
  [ "$rc" -eq 2 ] && grep -q "SLACK_BOT_TOKEN is not set" <<<"$out" \
    || die "okebot serve without tokens exited $rc; expected 2 naming SLACK_BOT_TOKEN"

  say "read-only root: nothing can be written outside /tmp"
  rc=0; out=$(run_readonly "$mnt" /opt/okebot/bin/python -c '
import errno, os, pathlib, tempfile
assert os.getuid() == 10001 and os.getgid() == 10001, (os.getuid(), os.getgid())
for target in ("/opt/okebot/probe", "/etc/probe", "/probe"):
    try:
        pathlib.Path(target).write_text("x")
    except OSError as exc:
        assert exc.errno == errno.EROFS, (target, exc)
        print(target, "refused:", exc.strerror)
    else:
        raise SystemExit(f"{target} was writable")
with tempfile.NamedTemporaryFile(dir="/tmp") as f:
    print("/tmp writable:", f.name)
import importlib.resources, zoneinfo
assert importlib.resources.files("tzdata").joinpath("zoneinfo", "Europe", "Berlin").is_file()
print("zoneinfo:", zoneinfo.ZoneInfo("Europe/Berlin"), "(tzdata package present)")
') || rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] || die "the read-only check failed"
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  say "image smoke test passed: $IMAGE ($("${BUILDAH[@]}" images --format '{{.Size}}' "$IMAGE"))"
}

case "${1:-}" in
  deps) deps ;;
  base) base ;;
  build) build ;;
  smoke) smoke ;;
  test)
    base
    BASE_IMAGE=${BASE_IMAGE:-$LOCAL_BASE} build
    smoke
    ;;
  *) die "usage: scripts/image.sh deps|base|build|smoke|test" ;;
esac
