"""The demo loader: people for every role, the CAB board, the service catalog, ~50 changes in every state,
a few of them in conflict, and the next CAB meeting with its agenda — every row written through the
services of the apps below, so the demo shows what the product does. The top layer: it imports every app
and none imports it (`manage.py demo`, run by `./run demo`)."""
