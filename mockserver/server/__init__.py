"""Running the server: the application factory, shared services, the banner and the run loop."""
