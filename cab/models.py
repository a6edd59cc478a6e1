"""CAB models (meetings, agendas, votes, minutes)."""
