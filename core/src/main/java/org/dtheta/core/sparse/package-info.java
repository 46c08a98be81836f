/**
 * Sparse data matrices for the engine: {@link org.dtheta.core.sparse.CsrMatrix} (compressed
 * sparse rows, validated, with products against dense row-major matrices split over the cores),
 * the two loops those products reduce to ({@link org.dtheta.core.sparse.SparseKernels}, scalar
 * and Vector API, chosen with the dense kernels), and {@link org.dtheta.core.sparse.SparseGram},
 * the pairwise-weighted Gram slices behind the Kronecker-structured Hessian of a first layer.
 * The tape op for a sparse constant times a dense node is {@code Ops.sparseMatmul}.
 */
package org.dtheta.core.sparse;
