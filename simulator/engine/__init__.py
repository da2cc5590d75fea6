"""The simulation engine behind `simulator.world.build_world`, split by business domain."""
