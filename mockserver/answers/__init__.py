"""What a request is answered with: the plan, rendered bytes, faults, placeholder values, answer reuse."""
