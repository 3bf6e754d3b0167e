"""Campaign runtime: what a collection team runs every day.

Entry points: `CampaignRunner` (runner.py: the dialling loop), `Hopper` (hopper.py: which
number next, with the pure rules of compliance.py and recycle.py), `CampaignSettings`
(settings.py), the web's AgentDesk and CampaignControls (desk.py, controls.py), preview
dialling (preview.py), `open_process` (service.py: wiring of one dialer process) and the
`dialer campaign ...` / `dialer demo` commands (cli.py, run.py, demo.py).
"""
