// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live migration, VFIO migration protocol v2 with STOP_COPY: RUNNING,
 * STOP, STOP_COPY and RESUMING (docs/device.md, "Migration").
 *
 * STOP takes the vGPU off the engines and waits for its DMA; nothing it
 * owns changes after that unless the client itself writes.  STOP_COPY hands
 * out a file that streams a header, config space, the registers and the
 * VRAM, generated as it is read; RESUMING takes the same stream, checks the
 * header as soon as it has it and writes VRAM as it arrives; leaving
 * RESUMING checks the registers like BAR0 writes would and applies them.
 * A command the engine had started runs again from its start on the
 * destination: commands are idempotent unless their ranges overlap, which
 * docs/device.md already calls undefined.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mvgpu.h"

#define MVGPU_MIG_PREFIX	(sizeof(struct mvgpu_mig_header) + \
				 MVGPU_CFG_SIZE + sizeof(struct mvgpu_mig_regs))

struct mvgpu_mig_file {
	struct file *filp;
	struct mvgpu_vgpu *vgpu;	/* holds a device reference */
	/*
	 * Serialises the file's readers or writers, and is held across
	 * their copies to and from user memory, which can wait as long as
	 * the client likes; nothing else takes it.
	 */
	struct mutex io_lock;
	u8 *bounce;			/* a page, under io_lock */
	/* guards everything below; never held across user memory */
	struct mutex lock;
	bool disabled;			/* the session is over */
	bool broken;			/* RESUMING got a bad header */
	u64 pos;			/* bytes streamed so far */
	u64 total;			/* bytes in the whole stream */
	u8 prefix[MVGPU_MIG_PREFIX];	/* header, config space, registers */
};

static struct mvgpu_mig_header *mvgpu_mig_hdr(struct mvgpu_mig_file *migf)
{
	return (struct mvgpu_mig_header *)migf->prefix;
}

static u8 *mvgpu_mig_cfg(struct mvgpu_mig_file *migf)
{
	return migf->prefix + sizeof(struct mvgpu_mig_header);
}

static struct mvgpu_mig_regs *mvgpu_mig_regs(struct mvgpu_mig_file *migf)
{
	return (struct mvgpu_mig_regs *)(mvgpu_mig_cfg(migf) + MVGPU_CFG_SIZE);
}

static void mvgpu_mig_file_free(struct mvgpu_mig_file *migf)
{
	mutex_destroy(&migf->lock);
	mutex_destroy(&migf->io_lock);
	free_page((unsigned long)migf->bounce);
	kfree(migf);
}

static int mvgpu_mig_release(struct inode *inode, struct file *filp)
{
	struct mvgpu_mig_file *migf = filp->private_data;

	put_device(&migf->vgpu->vdev.device);
	mvgpu_mig_file_free(migf);
	return 0;
}

static int mvgpu_mig_check_header(struct mvgpu_mig_file *migf)
{
	struct mvgpu_mig_header *hdr = mvgpu_mig_hdr(migf);
	struct mvgpu_vgpu *vgpu = migf->vgpu;

	if (le64_to_cpu(hdr->magic) != MVGPU_MIG_MAGIC ||
	    le32_to_cpu(hdr->version) != MVGPU_MIG_VERSION || hdr->reserved) {
		dev_warn_ratelimited(vgpu->vdev.dev,
				     "migration stream refused: not an mvgpu v%u stream\n",
				     MVGPU_MIG_VERSION);
		return -EINVAL;
	}
	if (le32_to_cpu(hdr->divisor) != vgpu->type->divisor ||
	    le64_to_cpu(hdr->vram_size) != vgpu->ctx.vram_size) {
		dev_warn_ratelimited(vgpu->vdev.dev,
				     "migration stream refused: from a 1/%u vGPU with %llu MiB of VRAM, this one is 1/%u with %llu MiB\n",
				     le32_to_cpu(hdr->divisor),
				     le64_to_cpu(hdr->vram_size) >> 20, vgpu->type->divisor,
				     vgpu->ctx.vram_size >> 20);
		return -EINVAL;
	}
	return 0;
}

/*
 * Stream bytes [pos, pos + n) to or from @buf (kernel memory): the prefix
 * from or into migf->prefix, the rest from or into VRAM.  The caller keeps
 * the piece inside one VRAM page.  migf->lock held, session live: the vGPU
 * is stopped and its VRAM is there.
 */
static void mvgpu_mig_stream_copy(struct mvgpu_mig_file *migf, u64 pos,
				  u8 *buf, size_t n, bool load)
{
	struct mvgpu_vgpu *vgpu = migf->vgpu;
	u8 *p;

	lockdep_assert_held(&migf->lock);
	if (pos < MVGPU_MIG_PREFIX) {
		p = migf->prefix + pos;
	} else {
		pos -= MVGPU_MIG_PREFIX;
		p = page_address(mvgpu_vgpu_vram_page(vgpu, pos)) +
		    offset_in_page(pos);
		if (load)
			mvgpu_ctx_mark_used(&vgpu->ctx, pos, n);
	}
	if (load)
		memcpy(p, buf, n);
	else
		memcpy(buf, p, n);
}

/* The next piece at @pos: inside the prefix or one VRAM page */
static size_t mvgpu_mig_piece(u64 pos, size_t left)
{
	if (pos < MVGPU_MIG_PREFIX)
		return min_t(u64, left, MVGPU_MIG_PREFIX - pos);
	return min_t(size_t, left,
		     PAGE_SIZE - offset_in_page(pos - MVGPU_MIG_PREFIX));
}

/*
 * Move up to @len bytes of the stream at the session's position, a piece at
 * a time through the bounce page: user memory is touched only with
 * migf->lock dropped, so ending the session never waits for the client.
 * A load checks the header as soon as it is complete.  io_lock held.
 */
static ssize_t mvgpu_mig_transfer(struct mvgpu_mig_file *migf,
				  char __user *buf, size_t len, bool load)
{
	const size_t hdr_len = sizeof(struct mvgpu_mig_header);
	size_t done = 0;
	int err = 0;

	lockdep_assert_held(&migf->io_lock);
	while (done < len) {
		size_t n;
		u64 pos;

		mutex_lock(&migf->lock);
		pos = migf->pos;
		n = mvgpu_mig_piece(pos, min_t(u64, len - done,
					       migf->total - pos));
		if (migf->disabled)
			err = -ENODEV;
		else if (migf->broken)
			err = -EINVAL;
		else if (!load)
			mvgpu_mig_stream_copy(migf, pos, migf->bounce, n, false);
		mutex_unlock(&migf->lock);
		if (err || !n)
			break;

		if (load ? copy_from_user(migf->bounce, buf + done, n) :
			   copy_to_user(buf + done, migf->bounce, n)) {
			err = -EFAULT;
			break;
		}

		mutex_lock(&migf->lock);
		if (migf->disabled) {
			err = -ENODEV;
		} else {
			if (load)
				mvgpu_mig_stream_copy(migf, pos, migf->bounce,
						      n, true);
			migf->pos = pos + n;
			if (load && pos < hdr_len && migf->pos >= hdr_len &&
			    mvgpu_mig_check_header(migf)) {
				migf->broken = true;
				err = -EINVAL;
			}
		}
		mutex_unlock(&migf->lock);
		if (err)
			break;
		done += n;
		cond_resched();
	}
	return done ? done : err;
}

static ssize_t mvgpu_mig_read(struct file *filp, char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct mvgpu_mig_file *migf = filp->private_data;
	ssize_t ret;

	if (ppos)
		return -ESPIPE;
	if (mutex_lock_killable(&migf->io_lock))
		return -EINTR;
	ret = mvgpu_mig_transfer(migf, buf, len, false);
	mutex_unlock(&migf->io_lock);
	return ret;
}

static ssize_t mvgpu_mig_write(struct file *filp, const char __user *buf,
			       size_t len, loff_t *ppos)
{
	struct mvgpu_mig_file *migf = filp->private_data;
	bool too_long;
	ssize_t ret;

	if (ppos)
		return -ESPIPE;
	if (mutex_lock_killable(&migf->io_lock))
		return -EINTR;
	/* a write that does not fit is refused whole */
	mutex_lock(&migf->lock);
	too_long = !migf->disabled && !migf->broken &&
		   len > migf->total - migf->pos;
	mutex_unlock(&migf->lock);
	if (too_long) {
		dev_warn_ratelimited(migf->vgpu->vdev.dev,
				     "migration stream refused: longer than the %llu bytes it should be\n",
				     migf->total);
		ret = -EINVAL;
	} else {
		ret = mvgpu_mig_transfer(migf, (char __user *)buf, len, true);
	}
	mutex_unlock(&migf->io_lock);
	return ret;
}

static const struct file_operations mvgpu_mig_save_fops = {
	.owner		= THIS_MODULE,
	.read		= mvgpu_mig_read,
	.release	= mvgpu_mig_release,
	.llseek		= no_llseek,
};

static const struct file_operations mvgpu_mig_load_fops = {
	.owner		= THIS_MODULE,
	.write		= mvgpu_mig_write,
	.release	= mvgpu_mig_release,
	.llseek		= no_llseek,
};

/* A new data transfer session; the vGPU keeps a reference to disable it */
static struct mvgpu_mig_file *mvgpu_mig_file_new(struct mvgpu_vgpu *vgpu,
						 bool save)
{
	struct mvgpu_mig_file *migf;
	struct file *filp;

	/* charged to the client's memory cgroup, as it asked for them */
	migf = kzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&migf->lock);
	mutex_init(&migf->io_lock);
	migf->bounce = (u8 *)__get_free_page(GFP_KERNEL_ACCOUNT);
	if (!migf->bounce) {
		mvgpu_mig_file_free(migf);
		return ERR_PTR(-ENOMEM);
	}
	migf->vgpu = vgpu;
	migf->total = MVGPU_MIG_PREFIX + vgpu->ctx.vram_size;

	filp = anon_inode_getfile("mvgpu_mig",
				  save ? &mvgpu_mig_save_fops :
					 &mvgpu_mig_load_fops,
				  migf, save ? O_RDONLY : O_WRONLY);
	if (IS_ERR(filp)) {
		mvgpu_mig_file_free(migf);
		return ERR_CAST(filp);
	}
	get_device(&vgpu->vdev.device);	/* put by mvgpu_mig_release */
	stream_open(filp->f_inode, filp);
	migf->filp = filp;
	get_file(filp);			/* ours, until the session ends */
	return migf;
}

/* End a session without waiting for a reader or writer stuck in user memory */
static void mvgpu_mig_file_end(struct mvgpu_mig_file **pmigf)
{
	struct mvgpu_mig_file *migf = *pmigf;

	if (!migf)
		return;
	mutex_lock(&migf->lock);
	migf->disabled = true;
	mutex_unlock(&migf->lock);
	fput(migf->filp);
	*pmigf = NULL;
}

/* The snapshot STOP_COPY streams out; the vGPU is stopped */
static void mvgpu_mig_save_prefix(struct mvgpu_vgpu *vgpu,
				  struct mvgpu_mig_file *migf)
{
	struct mvgpu_mig_header *hdr = mvgpu_mig_hdr(migf);
	struct mvgpu_mig_regs *regs = mvgpu_mig_regs(migf);
	struct mvgpu_ctx *ctx = &vgpu->ctx;

	hdr->magic = cpu_to_le64(MVGPU_MIG_MAGIC);
	hdr->version = cpu_to_le32(MVGPU_MIG_VERSION);
	hdr->divisor = cpu_to_le32(vgpu->type->divisor);
	hdr->vram_size = cpu_to_le64(ctx->vram_size);
	memcpy(mvgpu_mig_cfg(migf), vgpu->cfg, MVGPU_CFG_SIZE);

	regs->scratch = cpu_to_le64(vgpu->scratch);
	mutex_lock(&ctx->exec_lock);
	regs->pt_base = cpu_to_le64(ctx->pt_base);
	regs->ring_base = cpu_to_le64(ctx->ring_base);
	regs->fence = cpu_to_le64(ctx->fence);
	regs->fault_addr = cpu_to_le64(ctx->fault_addr);
	regs->pt_entries = cpu_to_le32(ctx->pt_entries);
	regs->ring_size = cpu_to_le32(ctx->ring_size);
	regs->head = cpu_to_le32(ctx->head);
	regs->tail = cpu_to_le32(ctx->tail);
	regs->fault_status = cpu_to_le32(ctx->fault_status);
	regs->fault_head = cpu_to_le32(ctx->fault_head);
	regs->faulted = cpu_to_le32(ctx->faulted);
	mutex_unlock(&ctx->exec_lock);
	spin_lock(&vgpu->irq_lock);
	regs->int_status = cpu_to_le32(vgpu->int_status);
	regs->int_mask = cpu_to_le32(vgpu->int_mask);
	spin_unlock(&vgpu->irq_lock);
}

/* Registers from a stream, held to the same rules as BAR0 writes */
static int mvgpu_mig_check_regs(struct mvgpu_vgpu *vgpu,
				const struct mvgpu_mig_regs *r)
{
	u64 vram = vgpu->ctx.vram_size, pt_base = le64_to_cpu(r->pt_base);
	u32 ring = le32_to_cpu(r->ring_size), pt = le32_to_cpu(r->pt_entries);
	u32 head = le32_to_cpu(r->head), tail = le32_to_cpu(r->tail);
	u32 fault = le32_to_cpu(r->fault_status);

	if (ring && (ring < MVGPU_RING_MIN_SIZE || ring > MVGPU_RING_MAX_SIZE ||
		     !is_power_of_2(ring) ||
		     !IS_ALIGNED(le64_to_cpu(r->ring_base), MVGPU_GPU_PAGE_SIZE)))
		return -EINVAL;
	if ((ring ? head >= ring || tail >= ring : head || tail) ||
	    !IS_ALIGNED(head, MVGPU_CMD_SIZE) || !IS_ALIGNED(tail, MVGPU_CMD_SIZE))
		return -EINVAL;
	if (pt && (pt > MVGPU_PT_MAX_ENTRIES ||
		   !IS_ALIGNED(pt_base, MVGPU_GPU_PAGE_SIZE) || pt_base >= vram ||
		   (u64)pt * sizeof(u64) > vram - pt_base))
		return -EINVAL;
	if ((le32_to_cpu(r->int_status) | le32_to_cpu(r->int_mask)) &
	    ~MVGPU_INT_ALL)
		return -EINVAL;
	if (le32_to_cpu(r->faulted) > 1 ||
	    fault & ~(MVGPU_FAULT_CODE_MASK | MVGPU_FAULT_WRITE) ||
	    (fault & MVGPU_FAULT_CODE_MASK) > MVGPU_FAULT_READ_ONLY ||
	    r->reserved[0] || r->reserved[1] || r->reserved[2])
		return -EINVAL;
	return 0;
}

/* Leaving RESUMING: the whole stream arrived and makes sense, apply it */
static int mvgpu_mig_load_finish(struct mvgpu_vgpu *vgpu,
				 struct mvgpu_mig_file *migf)
{
	struct mvgpu_mig_regs *r = mvgpu_mig_regs(migf);
	struct mvgpu_ctx *ctx = &vgpu->ctx;
	int ret = 0;

	mutex_lock(&migf->lock);
	if (migf->broken || migf->pos != migf->total) {
		dev_warn_ratelimited(vgpu->vdev.dev,
				     "migration refused: got %llu of the %llu bytes of the stream\n",
				     migf->pos, migf->total);
		ret = -EINVAL;
	} else if (mvgpu_mig_check_regs(vgpu, r)) {
		dev_warn_ratelimited(vgpu->vdev.dev,
				     "migration refused: the stream's registers are not valid\n");
		ret = -EINVAL;
	}
	if (ret)
		goto unlock;

	/* writable bits only, with the side effects a client's write has */
	mvgpu_cfg_write(vgpu, 0, mvgpu_mig_cfg(migf), MVGPU_CFG_SIZE);
	WRITE_ONCE(vgpu->scratch, le64_to_cpu(r->scratch));
	mutex_lock(&ctx->exec_lock);
	mvgpu_ctx_reset(ctx);
	ctx->pt_base = le64_to_cpu(r->pt_base);
	ctx->ring_base = le64_to_cpu(r->ring_base);
	ctx->fault_addr = le64_to_cpu(r->fault_addr);
	ctx->fault_status = le32_to_cpu(r->fault_status);
	ctx->fault_head = le32_to_cpu(r->fault_head);
	WRITE_ONCE(ctx->fence, le64_to_cpu(r->fence));
	WRITE_ONCE(ctx->pt_entries, le32_to_cpu(r->pt_entries));
	WRITE_ONCE(ctx->ring_size, le32_to_cpu(r->ring_size));
	WRITE_ONCE(ctx->head, le32_to_cpu(r->head));
	WRITE_ONCE(ctx->tail, le32_to_cpu(r->tail));
	WRITE_ONCE(ctx->faulted, le32_to_cpu(r->faulted));
	mutex_unlock(&ctx->exec_lock);
	/* delivered when the vGPU runs again */
	spin_lock(&vgpu->irq_lock);
	vgpu->int_status = le32_to_cpu(r->int_status);
	vgpu->int_mask = le32_to_cpu(r->int_mask);
	spin_unlock(&vgpu->irq_lock);
unlock:
	mutex_unlock(&migf->lock);
	return ret;
}

/* One arc of the migration state machine; vgpu->lock held */
static struct file *mvgpu_mig_step(struct mvgpu_vgpu *vgpu,
				   enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = vgpu->mig_state;
	struct mvgpu_mig_file *migf;
	int ret;

	if (cur == VFIO_DEVICE_STATE_RUNNING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		mvgpu_vgpu_quiesce(vgpu);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RUNNING) {
		if (vgpu->open)
			mvgpu_sched_enable(&vgpu->gpu->sched, &vgpu->se);
		mvgpu_irq_replay(vgpu);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_STOP_COPY) {
		migf = mvgpu_mig_file_new(vgpu, true);
		if (IS_ERR(migf))
			return ERR_CAST(migf);
		mvgpu_mig_save_prefix(vgpu, migf);
		vgpu->mig_save = migf;
		return migf->filp;
	}
	if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	    next == VFIO_DEVICE_STATE_STOP) {
		mvgpu_mig_file_end(&vgpu->mig_save);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RESUMING) {
		migf = mvgpu_mig_file_new(vgpu, false);
		if (IS_ERR(migf))
			return ERR_CAST(migf);
		vgpu->mig_load = migf;
		return migf->filp;
	}
	if (cur == VFIO_DEVICE_STATE_RESUMING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		ret = mvgpu_mig_load_finish(vgpu, vgpu->mig_load);
		if (ret)
			return ERR_PTR(ret);
		mvgpu_mig_file_end(&vgpu->mig_load);
		return NULL;
	}
	/* vfio_mig_get_next_state() only hands out the arcs above */
	return ERR_PTR(-EINVAL);
}

static struct file *mvgpu_mig_set_state(struct vfio_device *vdev,
					enum vfio_device_mig_state new_state)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&vgpu->lock);
	while (new_state != vgpu->mig_state) {
		ret = vfio_mig_get_next_state(vdev, vgpu->mig_state, new_state,
					      &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = mvgpu_mig_step(vgpu, next);
		if (IS_ERR(res))
			break;
		vgpu->mig_state = next;
		/* only the last arc of a path may open a session */
		if (res && new_state != vgpu->mig_state) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&vgpu->lock);
	return res;
}

static int mvgpu_mig_get_state(struct vfio_device *vdev,
			       enum vfio_device_mig_state *state)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);

	mutex_lock(&vgpu->lock);
	*state = vgpu->mig_state;
	mutex_unlock(&vgpu->lock);
	return 0;
}

static const struct vfio_migration_ops mvgpu_mig_ops = {
	.migration_set_state	= mvgpu_mig_set_state,
	.migration_get_state	= mvgpu_mig_get_state,
};

void mvgpu_migration_init(struct mvgpu_vgpu *vgpu)
{
	vgpu->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY;
	vgpu->vdev.mig_ops = &mvgpu_mig_ops;
	vgpu->mig_state = VFIO_DEVICE_STATE_RUNNING;
}

/* Reset, open, close: end any session, back to RUNNING; vgpu->lock held */
void mvgpu_migration_reset(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	mvgpu_mig_file_end(&vgpu->mig_save);
	mvgpu_mig_file_end(&vgpu->mig_load);
	vgpu->mig_state = VFIO_DEVICE_STATE_RUNNING;
}

bool mvgpu_vgpu_may_run(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	return vgpu->open && vgpu->mig_state == VFIO_DEVICE_STATE_RUNNING;
}
