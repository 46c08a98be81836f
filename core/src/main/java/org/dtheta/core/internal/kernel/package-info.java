/**
 * Internal: not API, may change without notice (as Lucene's {@code @lucene.internal}). The
 * implementations behind the public facade {@link org.dtheta.core.kernel.Kernels}: the kernel
 * interface {@link org.dtheta.core.internal.kernel.KernelSupport}, its portable implementation
 * {@link org.dtheta.core.internal.kernel.ScalarKernels} and the Vector API one ({@code
 * PanamaKernels} with its GEMM and product helpers, loaded by name only when the {@code
 * jdk.incubator.vector} module is readable), and the one provider that chooses between them,
 * {@link org.dtheta.core.internal.kernel.KernelProvider}. Use {@code org.dtheta.core.kernel}
 * instead.
 */
package org.dtheta.core.internal.kernel;
