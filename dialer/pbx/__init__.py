"""The PBX seam: every AMI action and event goes through this package.

Public API (import from the modules):
- `dialer.pbx.link.AmiLink`: start/stop, subscribe(handler), originate(OriginateRequest),
  redirect, bridge, hangup, play, set_var, get_var, queue_status, command, channels,
  action (escape hatch), subscribe_raw (raw AMI events by name); errors AmiLoginError,
  AmiNotConnected, AmiDisconnected (all AmiError).
- `dialer.pbx.events`: the typed events (CallRinging, CallAnswered, AmdResult, CallFailed,
  CallBridged, CallHungUp, CallLost, LinkUp, LinkDown; union PbxEvent).
- `dialer.pbx.actions`: OriginateRequest and the wire form of every action.

Inside: wire/protocol.py (one AMI connection), wire/mapping.py (raw events → typed events),
calls.py (calls in flight by Uniqueid == ActionID), reconcile.py (after a reconnect).
FastAGI (fastagi.py) and the simulated PSTN's numbering (simnumbers.py) live here too.
"""
