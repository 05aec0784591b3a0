#!/bin/bash
# Two servers 35 ms apart each way (70 ms round trip, about the distance
# of the real pair), through the delaying relay:
#  1. requests on either server commit on both; their commit latency
#     (coordinator journal, `begun` to `finished`) is printed;
#  2. an nftables drop rule in the middle, so no TCP close reaches either
#     side: both daemons notice through the heartbeat within
#     heartbeat_timeout, a request meanwhile is deferred (75) and changes
#     nothing, and after the rule is removed both links come back and a
#     request commits again.
#
# Usage: distance.sh ALIAS_SYNC ALIAS_SYNC_PIPE
# Set KEEP=1 to keep the working directory; it is kept on failure.

NETNS_KEEP_ON_FAILURE=1
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"

DELAY_MS=35
netns_setup "$DELAY_MS"
echo "timing: transaction_timeout $NETNS_TRANSACTION_TIMEOUT_MS ms," \
  "heartbeat_interval $NETNS_HEARTBEAT_INTERVAL_MS ms, heartbeat_timeout $NETNS_HEARTBEAT_TIMEOUT_MS ms"

# Milliseconds since the epoch.
now_ms() {
  local now=${EPOCHREALTIME/./}
  echo $((now / 1000))
}

# Sends a create request for NAME to SERVER, checks that it committed on
# both servers, and prints its latencies.
request_commits() {
  local server=$1 name=$2 started elapsed latency
  started=$(now_ms)
  netns_pipe "$server" alice@example.org "alias: $name" "<$name.$$@client.example.org>"
  elapsed=$(($(now_ms) - started))
  ((NETNS_PIPE_STATUS == 0)) || fail "request for $name on $server: pipe exited $NETNS_PIPE_STATUS, expected 0"
  netns_wait_settled 20 "request for $name on $server"
  netns_assert_agreement "$name" "request for $name on $server"
  [[ $NETNS_ALIAS_EXISTS == yes ]] || fail "request for $name on $server: pipe exited 0 but $name is in neither Postfix database"
  latency=$(netns_commit_latencies "$server" | tail -n 1 | cut -d' ' -f2)
  pass "$name through $server committed on both: pipe ${elapsed} ms, commit latency (begun to finished) ${latency} ms"
}

# 1. Requests at a distance.
request_commits a far1
request_commits b far2
request_commits a far3

# 2. A partition without a TCP close, between heartbeats.
sleep 1
cut_at=$(now_ms)
netns_cut_link drop a
# A daemon closes a link heartbeat_timeout after the last data arrived,
# which was at the cut at the latest. The limit adds one heartbeat_interval
# for the timer that checks the link and the status poll itself.
limit_ms=$((NETNS_HEARTBEAT_TIMEOUT_MS + NETNS_HEARTBEAT_INTERVAL_MS + 500))
for server in a b; do
  duo_wait_until 30 netns_link_down "$server" || fail "$server still shows its peer link up 30 s after the drop rule"
  noticed_ms=$(($(now_ms) - cut_at))
  ((noticed_ms <= limit_ms)) ||
    fail "$server noticed the dropped link after $noticed_ms ms; expected within $limit_ms ms (heartbeat_timeout $NETNS_HEARTBEAT_TIMEOUT_MS ms + interval + 500 ms)"
  pass "$server shows its peer link down $noticed_ms ms after the drop rule (limit $limit_ms ms)"
done

netns_pipe a alice@example.org "alias: cut1" "<cut1.$$@client.example.org>"
((NETNS_PIPE_STATUS == 75)) || fail "a request during the partition exited $NETNS_PIPE_STATUS, expected 75 (deferred)"
! netns_alias_in_database a cut1 >/dev/null || fail "cut1 is in the database of a after a deferred request"
! netns_alias_in_database b cut1 >/dev/null || fail "cut1 is in the database of b after a deferred request"
pass "a request during the partition is deferred and changes nothing"

restored_at=$(now_ms)
netns_restore_links
# Reconnection waits at most reconnect_max between attempts; the relay
# gives up on a target it cannot reach after 3 s.
limit_ms=$((NETNS_RECONNECT_MAX_MS + 3000 + 2000))
for server in a b; do
  duo_wait_until 30 netns_link_up "$server" || fail "$server did not reconnect within 30 s after the drop rule was removed"
  reconnected_ms=$(($(now_ms) - restored_at))
  ((reconnected_ms <= limit_ms)) ||
    fail "$server reconnected after $reconnected_ms ms; expected within $limit_ms ms"
  pass "$server reconnected $reconnected_ms ms after the drop rule was removed (limit $limit_ms ms)"
done

request_commits a far4
# The deferred request, delivered again by Postfix, now commits.
request_commits a cut1
netns_wait_settled 20 "end of test"
pass "distance test done in $SECONDS s"
