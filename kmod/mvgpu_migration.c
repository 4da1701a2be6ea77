// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live migration data, VFIO migration protocol v2 with STOP_COPY: the
 * files that STOP_COPY and RESUMING hand out (docs/device.md,
 * "Migration").  The state machine is the VFIO glue's (mvgpu_vfio.c),
 * which calls the session functions below at its arcs.
 *
 * STOP takes the vGPU off the engines and waits for its DMA; nothing it
 * owns changes after that unless the client itself writes.  STOP_COPY hands
 * out a file that streams a header, config space, the mediator's registers,
 * the context as the backend's ctx_save wrote it, and the VRAM, generated
 * as it is read; RESUMING takes the same stream, checks the header (type,
 * VRAM size, backend and the size of its state) as soon as it has it and
 * writes VRAM as it arrives; leaving RESUMING checks the mediator's
 * registers and hands the context to the backend's ctx_restore, which
 * checks every field like BAR0 writes would and refuses a bad one whole.
 * The context's format is the backend's: the CPU engine's includes the
 * command in progress and how far it got, so it resumes exactly where it
 * stopped (a DMA chunk cancelled by STOP is issued again).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mvgpu.h"

/* header, config space and the mediator's registers: the context follows */
#define MVGPU_MIG_STATE_OFF	(sizeof(struct mvgpu_mig_header) + \
				 MVGPU_CFG_SIZE + sizeof(struct mvgpu_mig_regs))
#define MVGPU_MIG_PREFIX_MAX	(MVGPU_MIG_STATE_OFF + MVGPU_CTX_STATE_MAX)

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
	size_t state_size;		/* the backend's caps.ctx_state_size */
	size_t prefix_len;		/* all of the stream before VRAM */
	/* header, config space, registers, context state */
	u8 prefix[MVGPU_MIG_PREFIX_MAX];
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

static u8 *mvgpu_mig_state(struct mvgpu_mig_file *migf)
{
	return migf->prefix + MVGPU_MIG_STATE_OFF;
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

	migf->vgpu->host->put(migf->vgpu);
	mvgpu_mig_file_free(migf);
	return 0;
}

static int mvgpu_mig_check_header(struct mvgpu_mig_file *migf)
{
	struct mvgpu_mig_header *hdr = mvgpu_mig_hdr(migf);
	struct mvgpu_vgpu *vgpu = migf->vgpu;
	const char *backend = vgpu->gpu->hw.ops->name;

	if (le64_to_cpu(hdr->magic) != MVGPU_MIG_MAGIC ||
	    le32_to_cpu(hdr->version) != MVGPU_MIG_VERSION || hdr->reserved) {
		dev_warn_ratelimited(vgpu->dev,
				     "migration stream refused: not an mvgpu v%u stream\n",
				     MVGPU_MIG_VERSION);
		return -EINVAL;
	}
	if (strnlen(hdr->backend, sizeof(hdr->backend)) == sizeof(hdr->backend) ||
	    strcmp(hdr->backend, backend) ||
	    le32_to_cpu(hdr->state_size) != migf->state_size) {
		dev_warn_ratelimited(vgpu->dev,
				     "migration stream refused: from a %.*s GPU with %u bytes of context, this one is %s with %zu\n",
				     (int)sizeof(hdr->backend), hdr->backend,
				     le32_to_cpu(hdr->state_size), backend,
				     migf->state_size);
		return -EINVAL;
	}
	if (le32_to_cpu(hdr->divisor) != vgpu->type->divisor ||
	    le64_to_cpu(hdr->vram_size) != vgpu->ctx.vram_size) {
		dev_warn_ratelimited(vgpu->dev,
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
	if (pos < migf->prefix_len) {
		p = migf->prefix + pos;
		if (load)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		return;
	}
	p = mvgpu_vgpu_vram_map(vgpu, pos - migf->prefix_len);
	if (load)
		mvgpu_vram_write(&vgpu->gpu->hw, p, buf, n);
	else
		mvgpu_vram_read(&vgpu->gpu->hw, buf, p, n);
}

/* The next piece at @pos: inside the prefix or one VRAM page */
static size_t mvgpu_mig_piece(struct mvgpu_mig_file *migf, u64 pos,
			      size_t left)
{
	if (pos < migf->prefix_len)
		return min_t(u64, left, migf->prefix_len - pos);
	return min_t(size_t, left,
		     PAGE_SIZE - offset_in_page(pos - migf->prefix_len));
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
		n = mvgpu_mig_piece(migf, pos, min_t(u64, len - done,
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
		dev_warn_ratelimited(migf->vgpu->dev,
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
	migf->state_size = vgpu->gpu->hw.caps.ctx_state_size;
	migf->prefix_len = MVGPU_MIG_STATE_OFF + migf->state_size;
	migf->total = migf->prefix_len + vgpu->ctx.vram_size;

	filp = anon_inode_getfile("mvgpu_mig",
				  save ? &mvgpu_mig_save_fops :
					 &mvgpu_mig_load_fops,
				  migf, save ? O_RDONLY : O_WRONLY);
	if (IS_ERR(filp)) {
		mvgpu_mig_file_free(migf);
		return ERR_CAST(filp);
	}
	vgpu->host->get(vgpu);	/* put by mvgpu_mig_release */
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
static int mvgpu_mig_save_prefix(struct mvgpu_vgpu *vgpu,
				 struct mvgpu_mig_file *migf)
{
	struct mvgpu_mig_header *hdr = mvgpu_mig_hdr(migf);
	struct mvgpu_mig_regs *regs = mvgpu_mig_regs(migf);
	struct mvgpu_ctx *ctx = &vgpu->ctx;
	const struct mvgpu_backend_ops *ops = vgpu->gpu->hw.ops;
	unsigned long flags;
	int ret;

	hdr->magic = cpu_to_le64(MVGPU_MIG_MAGIC);
	hdr->version = cpu_to_le32(MVGPU_MIG_VERSION);
	hdr->divisor = cpu_to_le32(vgpu->type->divisor);
	hdr->vram_size = cpu_to_le64(ctx->vram_size);
	strscpy_pad(hdr->backend, ops->name, sizeof(hdr->backend));
	hdr->state_size = cpu_to_le32(migf->state_size);
	memcpy(mvgpu_mig_cfg(migf), vgpu->cfg, MVGPU_CFG_SIZE);

	regs->scratch = cpu_to_le64(vgpu->scratch);
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	regs->int_status = cpu_to_le32(vgpu->int_status);
	regs->int_mask = cpu_to_le32(vgpu->int_mask);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);

	/* the rest of the state area stays zero if ctx_save writes less */
	mutex_lock(&ctx->exec_lock);
	ret = ops->ctx_save(ctx, mvgpu_mig_state(migf), migf->state_size);
	mutex_unlock(&ctx->exec_lock);
	if (ret < 0) {
		dev_warn_ratelimited(vgpu->dev,
				     "migration: the %s backend cannot save the context (%d)\n",
				     ops->name, ret);
		return ret;
	}
	return 0;
}

/* The mediator's registers from a stream, held to the BAR0 rules */
static int mvgpu_mig_check_regs(const struct mvgpu_mig_regs *r)
{
	if ((le32_to_cpu(r->int_status) | le32_to_cpu(r->int_mask)) &
	    ~MVGPU_INT_ALL)
		return -EINVAL;
	return 0;
}

/**
 * mvgpu_mig_load_finish - leaving RESUMING: apply the stream
 * @vgpu: the vGPU, vgpu->lock held, in a load session
 * @cfg: where the stream's config space goes, for the caller to apply
 *
 * The whole stream must have arrived and make sense.  The backend checks
 * its context state and loads it, or refuses it and leaves the context as
 * it was; only then does anything else change.
 *
 * Return: 0, or -EINVAL with nothing applied.
 */
int mvgpu_mig_load_finish(struct mvgpu_vgpu *vgpu, u8 cfg[MVGPU_CFG_SIZE])
{
	struct mvgpu_mig_file *migf = vgpu->mig_load;
	struct mvgpu_mig_regs *r;
	struct mvgpu_ctx *ctx = &vgpu->ctx;
	const struct mvgpu_backend_ops *ops = vgpu->gpu->hw.ops;
	unsigned long flags;
	int ret = 0;

	lockdep_assert_held(&vgpu->lock);
	if (!migf)
		return -EINVAL;
	r = mvgpu_mig_regs(migf);
	mutex_lock(&migf->lock);
	if (migf->broken || migf->pos != migf->total) {
		dev_warn_ratelimited(vgpu->dev,
				     "migration refused: got %llu of the %llu bytes of the stream\n",
				     migf->pos, migf->total);
		ret = -EINVAL;
		goto unlock;
	}
	if (!mvgpu_mig_check_regs(r)) {
		mutex_lock(&ctx->exec_lock);
		ret = ops->ctx_restore(ctx, mvgpu_mig_state(migf),
				       migf->state_size);
		mutex_unlock(&ctx->exec_lock);
	} else {
		ret = -EINVAL;
	}
	if (ret) {
		dev_warn_ratelimited(vgpu->dev,
				     "migration refused: the stream's registers are not valid (%s backend: %d)\n",
				     ops->name, ret);
		ret = -EINVAL;
		goto unlock;
	}

	memcpy(cfg, mvgpu_mig_cfg(migf), MVGPU_CFG_SIZE);
	WRITE_ONCE(vgpu->scratch, le64_to_cpu(r->scratch));
	/* delivered when the vGPU runs again */
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->int_status = le32_to_cpu(r->int_status);
	vgpu->int_mask = le32_to_cpu(r->int_mask);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
unlock:
	mutex_unlock(&migf->lock);
	return ret;
}

/**
 * mvgpu_mig_save_open - STOP -> STOP_COPY: the stream of the stopped vGPU
 * @vgpu: the vGPU, vgpu->lock held
 *
 * Return: the file to read it from (the caller's reference), or an
 * ERR_PTR.
 */
struct file *mvgpu_mig_save_open(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_mig_file *migf;
	int ret;

	lockdep_assert_held(&vgpu->lock);
	migf = mvgpu_mig_file_new(vgpu, true);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	ret = mvgpu_mig_save_prefix(vgpu, migf);
	if (ret) {
		struct file *filp = migf->filp;

		mvgpu_mig_file_end(&migf);	/* our reference */
		fput(filp);			/* the caller's */
		return ERR_PTR(ret);
	}
	vgpu->mig_save = migf;
	return migf->filp;
}

/* STOP_COPY -> STOP, reset, close: reads fail with -ENODEV from now on */
void mvgpu_mig_save_close(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	mvgpu_mig_file_end(&vgpu->mig_save);
}

/* STOP -> RESUMING: a file to write a stream into */
struct file *mvgpu_mig_load_open(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_mig_file *migf;

	lockdep_assert_held(&vgpu->lock);
	migf = mvgpu_mig_file_new(vgpu, false);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	vgpu->mig_load = migf;
	return migf->filp;
}

/* After mvgpu_mig_load_finish, reset, close: writes fail from now on */
void mvgpu_mig_load_close(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	mvgpu_mig_file_end(&vgpu->mig_load);
}
