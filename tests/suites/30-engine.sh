#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Commands and faults (issue 4): every command kind bit for bit, paging,
# DMA inside and outside the IOMMU mappings, faults and recovery; several
# engines running vGPUs in parallel.
# vmrun: --timeout 900
build/tests/cmd_test || true
build/tests/engines_test || true
