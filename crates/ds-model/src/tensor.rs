//! A minimal dense tensor used by the reader, the constant folder and the ONNX writer.

use std::fmt;

/// Element data of a [`Tensor`].
///
/// Integer tensors of any TensorFlow integer type are held as `i64`: they only ever feed
/// shapes, axes, paddings and permutations, which ONNX wants as `int64`.
#[derive(Clone, Debug, PartialEq)]
pub enum TensorData {
    /// 32-bit floats.
    F32(Vec<f32>),
    /// Integers (TensorFlow int32 / int64).
    I64(Vec<i64>),
}

/// A dense, row-major tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// Dimensions (empty for a scalar).
    pub shape: Vec<usize>,
    /// Elements, `shape.iter().product()` of them.
    pub data: TensorData,
}

impl Tensor {
    /// A float tensor; `None` if the element count does not match the shape.
    pub fn from_f32(shape: Vec<usize>, data: Vec<f32>) -> Option<Tensor> {
        (shape.iter().product::<usize>() == data.len()).then_some(Tensor {
            shape,
            data: TensorData::F32(data),
        })
    }

    /// An integer tensor; `None` if the element count does not match the shape.
    pub fn from_i64(shape: Vec<usize>, data: Vec<i64>) -> Option<Tensor> {
        (shape.iter().product::<usize>() == data.len()).then_some(Tensor {
            shape,
            data: TensorData::I64(data),
        })
    }

    /// A 1-D integer tensor.
    pub fn vec_i64(data: Vec<i64>) -> Tensor {
        Tensor {
            shape: vec![data.len()],
            data: TensorData::I64(data),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match &self.data {
            TensorData::F32(v) => v.len(),
            TensorData::I64(v) => v.len(),
        }
    }

    /// True if the tensor holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The integer elements, if this is an integer tensor.
    pub fn as_i64(&self) -> Option<&[i64]> {
        match &self.data {
            TensorData::I64(v) => Some(v),
            TensorData::F32(_) => None,
        }
    }

    /// The float elements, if this is a float tensor.
    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            TensorData::F32(v) => Some(v),
            TensorData::I64(_) => None,
        }
    }

    /// The single element of a scalar or one-element integer tensor.
    pub fn scalar_i64(&self) -> Option<i64> {
        match self.as_i64() {
            Some([v]) => Some(*v),
            _ => None,
        }
    }

    /// The single element of a scalar or one-element float tensor.
    pub fn scalar_f32(&self) -> Option<f32> {
        match self.as_f32() {
            Some([v]) => Some(*v),
            _ => None,
        }
    }

    /// Permutes the axes (`out.shape[i] = in.shape[perm[i]]`); `None` if `perm` is not a
    /// permutation of the tensor's axes.
    pub fn transpose(&self, perm: &[usize]) -> Option<Tensor> {
        let rank = self.shape.len();
        if perm.len() != rank {
            return None;
        }
        let mut seen = vec![false; rank];
        for &p in perm {
            if p >= rank || std::mem::replace(&mut seen[p], true) {
                return None;
            }
        }
        let out_shape: Vec<usize> = perm.iter().map(|&p| self.shape[p]).collect();
        // Row-major strides of the input.
        let mut in_strides = vec![1usize; rank];
        for i in (0..rank.saturating_sub(1)).rev() {
            in_strides[i] = in_strides[i + 1] * self.shape[i + 1];
        }
        let strides: Vec<usize> = perm.iter().map(|&p| in_strides[p]).collect();
        let n = self.len();
        let mut index = Vec::with_capacity(n);
        let mut counter = vec![0usize; rank];
        for _ in 0..n {
            index.push(
                counter
                    .iter()
                    .zip(&strides)
                    .map(|(c, s)| c * s)
                    .sum::<usize>(),
            );
            for axis in (0..rank).rev() {
                counter[axis] += 1;
                if counter[axis] < out_shape[axis] {
                    break;
                }
                counter[axis] = 0;
            }
        }
        let data = match &self.data {
            TensorData::F32(v) => TensorData::F32(index.iter().map(|&i| v[i]).collect()),
            TensorData::I64(v) => TensorData::I64(index.iter().map(|&i| v[i]).collect()),
        };
        Some(Tensor {
            shape: out_shape,
            data,
        })
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.data {
            TensorData::F32(_) => "f32",
            TensorData::I64(_) => "i64",
        };
        write!(f, "{kind}{:?}", self.shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_hwio_to_oihw() {
        // shape [H=1, W=2, I=1, O=3]
        let t = Tensor::from_f32(vec![1, 2, 1, 3], vec![0., 1., 2., 3., 4., 5.]).unwrap();
        let o = t.transpose(&[3, 2, 0, 1]).unwrap();
        assert_eq!(o.shape, vec![3, 1, 1, 2]);
        assert_eq!(o.as_f32().unwrap(), &[0., 3., 1., 4., 2., 5.]);
    }

    #[test]
    fn transpose_rejects_bad_perm() {
        let t = Tensor::vec_i64(vec![1, 2]);
        assert!(t.transpose(&[0, 0]).is_none());
        assert!(t.transpose(&[1]).is_none());
        assert!(Tensor::from_i64(vec![3], vec![1]).is_none());
    }
}
