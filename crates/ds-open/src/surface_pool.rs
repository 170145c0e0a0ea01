//! A bounded pool of output `NvBufSurface` batches for the open elements
//! that produce a new surface per frame (nvstreammux, nvvideoconvert,
//! nvmultistreamtiler).
//!
//! Allocating a fresh batch per frame costs a zero-filled allocation of the
//! whole frame (for 1080p RGBA, 8 MB of fresh pages the kernel zero-fills and
//! faults in on first touch) and its release. The pool instead hands out a
//! batch that was freed earlier: a [`PooledBatch`] wrapped into a
//! `gst::Buffer` ([`PooledBatch::into_buffer`]) goes back to its pool when
//! the buffer's memory is freed, that is, once nothing downstream holds it
//! any more, so a batch still referenced is never handed out twice.
//!
//! * **Bounded.** At most `max_free` idle batches are kept; further ones are
//!   destroyed when freed. Batches in flight are not limited (a producer is
//!   never blocked; NVIDIA's pools block instead when exhausted).
//! * **Geometry changes.** The pool holds batches of one geometry (batch
//!   size, width, height, format) at a time: asking for another one empties
//!   the pool, and a batch of an older geometry coming back is destroyed.
//! * **No stale state.** The buffer (and so every `GstMeta`) is new for
//!   every frame; only the surface is reused, with `numFilled` reset to 0.
//!   Pixels are *not* cleared: the producer writes every pixel of the frames
//!   it marks filled (the open elements draw their padding bars and tiler
//!   background explicitly). Frames past `numFilled` keep old pixels, which
//!   no consumer may read.
//!
//! ```
//! use ds_open::surface_pool::SurfacePool;
//! ds_core::init().unwrap();
//! let pool = SurfacePool::new(2);
//! let fmt = ds_sys::NVBUF_COLOR_FORMAT_RGBA;
//! let first = pool.acquire(1, 64, 32, fmt).unwrap();
//! let pixels = |b: &ds_core::surface::SurfaceBatch| b.frame(0).unwrap().pixels().as_ptr();
//! let id = pixels(&first);
//! let buffer = first.into_buffer();
//! // Still referenced: the next batch is another one.
//! let second = pool.acquire(1, 64, 32, fmt).unwrap();
//! assert_ne!(pixels(&second), id);
//! drop(buffer);
//! // Freed: it is handed out again.
//! let third = pool.acquire(1, 64, 32, fmt).unwrap();
//! assert_eq!(pixels(&third), id);
//! ```
use ds_core::surface::{SurfaceBatch, SurfaceError};
use ds_sys::NvBufSurfaceColorFormat;
use gstreamer as gst;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// Idle batches an element's pool keeps by default: enough for the frame
/// being produced while downstream frees the previous ones.
pub const DEFAULT_MAX_FREE: usize = 4;

/// Geometry of the batches a pool holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Geometry {
    batch_size: u32,
    width: u32,
    height: u32,
    format: NvBufSurfaceColorFormat,
}

#[derive(Debug, Default)]
struct Inner {
    geometry: Option<Geometry>,
    free: Vec<SurfaceBatch>,
    max_free: usize,
    allocated: u64,
    reused: u64,
}

/// A bounded pool of `NvBufSurface` batches of one geometry (see the
/// [module documentation](self)).
#[derive(Debug, Clone)]
pub struct SurfacePool {
    inner: Arc<Mutex<Inner>>,
}

impl Default for SurfacePool {
    fn default() -> Self {
        SurfacePool::new(DEFAULT_MAX_FREE)
    }
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SurfacePool {
    /// A pool keeping at most `max_free` idle batches.
    ///
    /// ```
    /// let pool = ds_open::surface_pool::SurfacePool::new(3);
    /// assert_eq!(pool.idle(), 0);
    /// ```
    pub fn new(max_free: usize) -> SurfacePool {
        SurfacePool {
            inner: Arc::new(Mutex::new(Inner {
                max_free,
                ..Inner::default()
            })),
        }
    }

    /// A batch of `batch_size` frames of `width` x `height` in `format`
    /// with `numFilled` = 0: an idle one of that geometry, or a new one
    /// (zero-filled). Asking for another geometry than the last empties
    /// the pool.
    ///
    /// ```
    /// # use ds_open::surface_pool::SurfacePool;
    /// let pool = SurfacePool::default();
    /// let b = pool.acquire(2, 16, 16, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert_eq!((b.batch_size(), b.num_filled()), (2, 0));
    /// assert!(pool.acquire(0, 16, 16, ds_sys::NVBUF_COLOR_FORMAT_NV12).is_err());
    /// ```
    pub fn acquire(
        &self,
        batch_size: u32,
        width: u32,
        height: u32,
        format: NvBufSurfaceColorFormat,
    ) -> Result<PooledBatch, SurfaceError> {
        let geometry = Geometry {
            batch_size,
            width,
            height,
            format,
        };
        let reused = {
            let mut inner = lock(&self.inner);
            if inner.geometry != Some(geometry) {
                inner.free.clear();
                inner.geometry = Some(geometry);
            }
            let b = inner.free.pop();
            if b.is_some() {
                inner.reused += 1;
            } else {
                inner.allocated += 1;
            }
            b
        };
        let mut batch = match reused {
            Some(b) => b,
            None => SurfaceBatch::new(batch_size, width, height, format)?,
        };
        batch.set_num_filled(0)?;
        Ok(PooledBatch {
            batch: Some(batch),
            pool: Arc::downgrade(&self.inner),
            geometry,
        })
    }

    /// Destroys the idle batches (batches in flight are destroyed when
    /// freed if the geometry changed meanwhile, else kept).
    ///
    /// ```
    /// # use ds_open::surface_pool::SurfacePool;
    /// let pool = SurfacePool::default();
    /// drop(pool.acquire(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap());
    /// assert_eq!(pool.idle(), 1);
    /// pool.clear();
    /// assert_eq!(pool.idle(), 0);
    /// ```
    pub fn clear(&self) {
        let mut inner = lock(&self.inner);
        inner.free.clear();
        inner.geometry = None;
    }

    /// Number of idle batches.
    ///
    /// ```
    /// # use ds_open::surface_pool::SurfacePool;
    /// let pool = SurfacePool::new(1);
    /// let (a, b) = (
    ///     pool.acquire(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap(),
    ///     pool.acquire(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap(),
    /// );
    /// drop((a, b));
    /// assert_eq!(pool.idle(), 1); // bounded
    /// ```
    pub fn idle(&self) -> usize {
        lock(&self.inner).free.len()
    }

    /// (batches allocated, batches reused) since the pool was made.
    ///
    /// ```
    /// # use ds_open::surface_pool::SurfacePool;
    /// let pool = SurfacePool::default();
    /// drop(pool.acquire(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap());
    /// drop(pool.acquire(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap());
    /// assert_eq!(pool.counts(), (1, 1));
    /// ```
    pub fn counts(&self) -> (u64, u64) {
        let inner = lock(&self.inner);
        (inner.allocated, inner.reused)
    }
}

/// A batch from a [`SurfacePool`], returned to it when dropped (directly,
/// or with the `gst::Buffer` made by [`PooledBatch::into_buffer`]).
#[derive(Debug)]
pub struct PooledBatch {
    batch: Option<SurfaceBatch>,
    pool: Weak<Mutex<Inner>>,
    geometry: Geometry,
}

impl PooledBatch {
    /// Wraps the batch into a `gst::Buffer` whose memory is the
    /// `NvBufSurface` struct (as [`SurfaceBatch::into_buffer`]); the batch
    /// goes back to the pool when the buffer's memory is freed.
    ///
    /// ```
    /// # use ds_open::surface_pool::SurfacePool;
    /// ds_core::init().unwrap();
    /// let pool = SurfacePool::default();
    /// let buffer = pool.acquire(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
    /// assert_eq!(pool.idle(), 0);
    /// drop(buffer);
    /// assert_eq!(pool.idle(), 1);
    /// ```
    pub fn into_buffer(self) -> gst::Buffer {
        gst::Buffer::from_mut_slice(self)
    }
}

impl Deref for PooledBatch {
    type Target = SurfaceBatch;
    fn deref(&self) -> &SurfaceBatch {
        // Only `Drop` takes the batch out.
        self.batch
            .as_ref()
            .expect("pooled batch present until dropped")
    }
}

impl DerefMut for PooledBatch {
    fn deref_mut(&mut self) -> &mut SurfaceBatch {
        self.batch
            .as_mut()
            .expect("pooled batch present until dropped")
    }
}

impl AsRef<[u8]> for PooledBatch {
    fn as_ref(&self) -> &[u8] {
        self.deref().as_ref()
    }
}

impl AsMut<[u8]> for PooledBatch {
    fn as_mut(&mut self) -> &mut [u8] {
        self.deref_mut().as_mut()
    }
}

impl Drop for PooledBatch {
    fn drop(&mut self) {
        let (Some(batch), Some(pool)) = (self.batch.take(), self.pool.upgrade()) else {
            return;
        };
        let mut inner = lock(&pool);
        if inner.geometry == Some(self.geometry) && inner.free.len() < inner.max_free {
            inner.free.push(batch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RGBA: NvBufSurfaceColorFormat = ds_sys::NVBUF_COLOR_FORMAT_RGBA;

    fn id(b: &SurfaceBatch) -> usize {
        b.planes(0).unwrap().plane(0).unwrap().data().as_ptr() as usize
    }

    #[test]
    fn reuses_freed_batches_only() {
        ds_core::init().unwrap();
        let pool = SurfacePool::new(4);
        let held: Vec<gst::Buffer> = (0..3)
            .map(|_| pool.acquire(1, 32, 16, RGBA).unwrap().into_buffer())
            .collect();
        let held_ids: Vec<usize> = held
            .iter()
            .map(|b| {
                let s = ds_core::planes::SurfaceRef::from_buffer(b).unwrap();
                let f = s.frame(0).unwrap();
                f.plane(0).unwrap().data().as_ptr() as usize
            })
            .collect();
        // A copy of a buffer shares its memory: still referenced.
        let copy = held[0].copy();
        drop(held);
        assert_eq!(pool.idle(), 2);
        let mut again = Vec::new();
        for _ in 0..5 {
            again.push(pool.acquire(1, 32, 16, RGBA).unwrap());
        }
        let ids: Vec<usize> = again.iter().map(|b| id(b)).collect();
        assert!(!ids.contains(&held_ids[0]), "batch in use handed out");
        assert!(ids.contains(&held_ids[1]) && ids.contains(&held_ids[2]));
        assert_eq!(pool.counts(), (3 + 3, 2));
        drop(copy);
        drop(again);
        assert_eq!(pool.idle(), 4);
    }

    #[test]
    fn resets_num_filled() {
        let pool = SurfacePool::new(1);
        let mut b = pool.acquire(3, 8, 8, RGBA).unwrap();
        b.set_num_filled(3).unwrap();
        drop(b);
        let b = pool.acquire(3, 8, 8, RGBA).unwrap();
        assert_eq!((pool.counts(), b.num_filled()), ((1, 1), 0));
    }

    #[test]
    fn geometry_change_empties_the_pool() {
        let pool = SurfacePool::new(4);
        let old = pool.acquire(1, 32, 16, RGBA).unwrap();
        drop(pool.acquire(1, 32, 16, RGBA).unwrap());
        assert_eq!(pool.idle(), 1);
        for (bs, w, h, f) in [
            (1, 64, 16, RGBA),
            (1, 64, 32, RGBA),
            (2, 64, 32, RGBA),
            (2, 64, 32, ds_sys::NVBUF_COLOR_FORMAT_NV12),
        ] {
            let b = pool.acquire(bs, w, h, f).unwrap();
            let f0 = b.planes(0).unwrap();
            assert_eq!((b.batch_size(), f0.width(), f0.height()), (bs, w, h));
            assert_eq!(f0.format(), f);
            drop(f0);
            drop(b);
            assert_eq!(pool.idle(), 1);
        }
        // A batch of the old geometry is not taken back.
        drop(old);
        assert_eq!(pool.idle(), 1);
        let b = pool
            .acquire(2, 64, 32, ds_sys::NVBUF_COLOR_FORMAT_NV12)
            .unwrap();
        assert_eq!(b.batch_size(), 2);
    }

    #[test]
    fn outlives_its_pool() {
        let pool = SurfacePool::new(4);
        let b = pool.acquire(1, 8, 8, RGBA).unwrap();
        drop(pool);
        drop(b);
    }
}
