"""The request flow: the front door, the per-request pipeline and the request snapshot it works on."""
