#!/bin/sh
# DNS-01 hook for the acme issuer (lego's exec provider convention):
#   dns-hook.sh present|cleanup _acme-challenge.<name>. <value>
# An RFC 2136 update with nsupdate; set DNS_SERVER and the TSIG key file for your zone.
set -eu
action=$1 fqdn=$2 value=$3
case "$action" in
  present) change="update add $fqdn 60 TXT \"$value\"" ;;
  cleanup) change="update delete $fqdn TXT \"$value\"" ;;
  *) echo "usage: $0 present|cleanup <fqdn> <value>" >&2; exit 64 ;;
esac
printf 'server %s\n%s\nsend\n' "${DNS_SERVER:?set DNS_SERVER}" "$change" | nsupdate -k "${TSIG_KEY_FILE:?set TSIG_KEY_FILE}"
