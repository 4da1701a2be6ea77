#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The scheduler (issue 4), on a GPU with one engine so that a share is a
# share of "the engine": weighted, equal and fixed shares, caps, priority
# preemption, a faulting tenant next to well-behaved ones, and a tenant
# whose DMA memory stalls (only its own vGPU waits).
# vmrun: --params engines=1 --timeout 900
build/tests/sched_test || true
build/tests/dma_stall_test || true
