/**
 * Internal: not API, may change without notice (as Lucene's {@code @lucene.internal}). The
 * implementations of {@link org.dtheta.core.sparse.SparseKernels} (scalar and, loaded by name
 * only with the Vector API, {@code PanamaSparseKernels}), their selection, and the helpers of
 * {@link org.dtheta.core.sparse.CsrMatrix}'s products (row pairs, per-thread scratch). Use
 * {@code org.dtheta.core.sparse} instead.
 */
package org.dtheta.core.internal.sparse;
