"""What every vendor handler needs: the `Call`, the route table, seeded ids."""
