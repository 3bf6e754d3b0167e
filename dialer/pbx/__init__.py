"""The PBX seam: every AMI action and event goes through this package."""
