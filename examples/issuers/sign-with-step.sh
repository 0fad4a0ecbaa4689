#!/bin/sh
# A command issuer: the CSR (PEM) on standard input, the chain (PEM, leaf first) on standard output.
# Here smallstep's `step ca sign`; `certreq` or `openssl ca` work the same way.
set -eu
[ "${1:-}" = "--profile" ] && profile=$2 || { echo "usage: $0 --profile NAME" >&2; exit 64; }
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
cat > "$dir/req.csr"
step ca sign --provisioner "$profile" --password-file /dev/stdin "$dir/req.csr" "$dir/leaf.pem" <<PW >&2
${STEP_CA_PASSWORD:?set STEP_CA_PASSWORD}
PW
cat "$dir/leaf.pem"
