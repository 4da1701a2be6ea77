// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts: the software interrupt arrives on the INTx and on the MSI
 * eventfd; masked (INT_MASK, VFIO MASK, PCI INTx disable) it does not;
 * unmasking delivers the pending one; INTx auto-masks; switching between
 * INTx and MSI and tearing down with DATA_NONE leaves no stale eventfd.
 *
 * Delivery of a software interrupt happens inside the BAR0 write, so
 * "not delivered" is checked without waiting.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

static char uuid[MT_UUID_LEN];
static struct mt_vfio v = { -1, -1, -1, -1 };
static int efd_a = -1, efd_b = -1;

static int setup(void **state)
{
	if (mt_create_new(0, 8, uuid))
		return -1;
	efd_a = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	efd_b = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return mt_vfio_open(uuid, &v);
}

static int teardown(void **state)
{
	mt_vfio_close(&v);
	close(efd_a);
	close(efd_b);
	mt_remove_all();
	return 0;
}

/* every test starts with no IRQ enabled, causes unmasked, eventfds empty */
static int fresh(void **state)
{
	uint64_t c;

	mt_disable_irq(v.device, VFIO_PCI_INTX_IRQ_INDEX);
	mt_disable_irq(v.device, VFIO_PCI_MSI_IRQ_INDEX);
	if (ioctl(v.device, VFIO_DEVICE_RESET) || mt_enable(v.device))
		return -1;
	while (read(efd_a, &c, sizeof(c)) > 0)
		;
	while (read(efd_b, &c, sizeof(c)) > 0)
		;
	return mt_reg_write32(v.device, MVGPU_REG_INT_MASK, 0);
}

static bool fired(int efd)
{
	return mt_eventfd_wait(efd, 0, NULL) == 1;
}

static void sw_int(void)
{
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_SW_INT, 1), 0);
}

static void ack(void)
{
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_ACK,
					MVGPU_INT_ALL), 0);
}

static void vfio_action(unsigned int index, uint32_t action)
{
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE | action,
				     index, 0, 1, NULL, 0), 0);
}

static void test_intx_delivery_and_automask(void **state)
{
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_INTX_IRQ_INDEX,
					    efd_a), 0);
	assert_false(fired(efd_a));
	sw_int();
	assert_true(fired(efd_a));
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_INT_STATUS),
			 MVGPU_INT_SOFTWARE);
	/* auto-masked: another cause while masked does not signal */
	ack();
	sw_int();
	assert_false(fired(efd_a));
	/* unmask with the line still asserted signals again */
	vfio_action(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	assert_true(fired(efd_a));
	/* acknowledged first, unmask finds nothing to deliver */
	ack();
	vfio_action(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	assert_false(fired(efd_a));
	sw_int();
	assert_true(fired(efd_a));
}

static void test_intx_masking(void **state)
{
	uint16_t cmd;

	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_INTX_IRQ_INDEX,
					    efd_a), 0);
	/* INT_MASK */
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_MASK,
					MVGPU_INT_SOFTWARE), 0);
	sw_int();
	assert_false(fired(efd_a));
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_MASK, 0), 0);
	assert_true(fired(efd_a));
	ack();
	vfio_action(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);

	/* VFIO MASK, then UNMASK delivers the pending one */
	vfio_action(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_MASK);
	sw_int();
	assert_false(fired(efd_a));
	vfio_action(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	assert_true(fired(efd_a));
	ack();
	vfio_action(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);

	/* DATA_BOOL false does nothing */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_BOOL |
				     VFIO_IRQ_SET_ACTION_MASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
				     &(uint8_t){ 0 }, 1), 0);
	sw_int();
	assert_true(fired(efd_a));
	ack();
	vfio_action(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);

	/* PCI_COMMAND_INTX_DISABLE */
	cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;
	assert_int_equal(mt_cfg_write16(v.device, PCI_COMMAND, cmd), 0);
	sw_int();
	assert_false(fired(efd_a));
	assert_true(mt_cfg_read16(v.device, PCI_STATUS) & PCI_STATUS_INTERRUPT);
	assert_int_equal(mt_enable(v.device), 0);
	assert_true(fired(efd_a));
}

static void test_intx_unmask_by_eventfd(void **state)
{
	int32_t fd = efd_b;

	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_INTX_IRQ_INDEX,
					    efd_a), 0);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd,
				     sizeof(fd)), 0);
	sw_int();
	assert_true(fired(efd_a));
	/* signalling the unmask eventfd unmasks; still asserted: fires */
	assert_int_equal(eventfd_write(efd_b, 1), 0);
	assert_int_equal(mt_eventfd_wait(efd_a, 5000, NULL), 1);
	fd = -1;
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd,
				     sizeof(fd)), 0);
}

static void test_msi_delivery_and_masking(void **state)
{
	uint64_t n = 0;

	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_MSI_IRQ_INDEX,
					    efd_a), 0);
	sw_int();
	assert_true(fired(efd_a));
	/* edge: every event sends a message, even with the cause pending */
	sw_int();
	sw_int();
	assert_int_equal(mt_eventfd_wait(efd_a, 0, &n), 1);
	assert_int_equal(n, 2);
	ack();

	vfio_action(VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_ACTION_MASK);
	sw_int();
	sw_int();
	assert_false(fired(efd_a));
	vfio_action(VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	assert_int_equal(mt_eventfd_wait(efd_a, 0, &n), 1);
	assert_int_equal(n, 1);		/* one pending message */
	vfio_action(VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	assert_false(fired(efd_a));
	ack();

	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_MASK,
					MVGPU_INT_ALL), 0);
	sw_int();
	assert_false(fired(efd_a));
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_MASK, 0), 0);
	assert_true(fired(efd_a));

	/* loopback trigger */
	vfio_action(VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER);
	assert_true(fired(efd_a));
}

static void test_switching_leaves_no_stale_eventfd(void **state)
{
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_INTX_IRQ_INDEX,
					    efd_a), 0);
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_MSI_IRQ_INDEX,
					    efd_b), -EINVAL);
	assert_int_equal(mt_disable_irq(v.device, VFIO_PCI_INTX_IRQ_INDEX), 0);
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_MSI_IRQ_INDEX,
					    efd_b), 0);
	sw_int();
	assert_true(fired(efd_b));
	assert_false(fired(efd_a));

	/* torn down: nothing fires anywhere */
	assert_int_equal(mt_disable_irq(v.device, VFIO_PCI_MSI_IRQ_INDEX), 0);
	ack();
	sw_int();
	assert_false(fired(efd_a));
	assert_false(fired(efd_b));
	/* masking a disabled index is refused */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE |
				     VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, NULL, 0),
			 -EINVAL);

	/* back to INTx with the other eventfd; the pending line fires at once */
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_INTX_IRQ_INDEX,
					    efd_b), 0);
	assert_true(fired(efd_b));
	assert_false(fired(efd_a));
	ack();
	vfio_action(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);

	/* unbinding with fd -1 keeps INTx enabled but signals nobody */
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_INTX_IRQ_INDEX, -1),
			 0);
	sw_int();
	assert_false(fired(efd_a));
	assert_false(fired(efd_b));
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_MSI_IRQ_INDEX,
					    efd_a), -EINVAL);
}

static void test_fence_interrupt(void **state)
{
	struct mt_dev d;
	struct mvgpu_cmd cmd = { .opcode = MVGPU_OP_FENCE, .value = 99,
				 .flags = MVGPU_CMD_F_IRQ };
	uint64_t before, after;

	assert_int_equal(mt_dev_open(&d, 0, 8), 0);
	assert_int_equal(mt_vgpu_stat(d.uuid, "interrupts", &before), 0);
	assert_int_equal(mt_dev_submit(&d, &cmd, 1), 0);
	assert_int_equal(mt_eventfd_wait(d.msi, 10000, NULL), 1);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_INT_STATUS),
			 MVGPU_INT_FENCE);
	assert_int_equal(mt_reg64(d.v.device, MVGPU_REG_FENCE), 99);
	assert_int_equal(mt_vgpu_stat(d.uuid, "interrupts", &after), 0);
	assert_int_equal(after, before + 1);
	/* without the IRQ flag: the fence moves, no interrupt */
	cmd.flags = 0;
	cmd.value = 100;
	assert_int_equal(mt_reg_write32(d.v.device, MVGPU_REG_INT_ACK,
					MVGPU_INT_ALL), 0);
	assert_int_equal(mt_dev_run(&d, &cmd, 1, 10000), 0);
	assert_int_equal(mt_reg64(d.v.device, MVGPU_REG_FENCE), 100);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_INT_STATUS), 0);
	assert_false(fired(d.msi));
	mt_dev_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_intx_delivery_and_automask, fresh),
		cmocka_unit_test_setup(test_intx_masking, fresh),
		cmocka_unit_test_setup(test_intx_unmask_by_eventfd, fresh),
		cmocka_unit_test_setup(test_msi_delivery_and_masking, fresh),
		cmocka_unit_test_setup(test_switching_leaves_no_stale_eventfd,
				       fresh),
		cmocka_unit_test_setup(test_fence_interrupt, fresh),
	};

	return MT_RUN("irq", tests, setup, teardown);
}
