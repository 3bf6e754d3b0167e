"""ACD: agents, queues and routing of answered calls to agents."""
