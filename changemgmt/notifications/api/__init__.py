"""The inbox over the API: a person's notifications, marking them read, their e-mail switches."""
