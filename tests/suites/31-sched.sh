#!/bin/bash
# The scheduler (issue 4), on a GPU with one engine so that a share is a
# share of "the engine": weighted, equal and fixed shares, caps, priority
# preemption, and a faulting tenant next to well-behaved ones.
# vmrun: --params engines=1 --timeout 900
build/tests/sched_test || true
