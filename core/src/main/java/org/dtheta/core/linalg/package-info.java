/**
 * Spectra of symmetric maps given only by their action ({@link
 * org.dtheta.core.linalg.LinearMap}): block {@link org.dtheta.core.linalg.Lanczos} with full
 * reorthogonalisation for both ends of the spectrum, the small dense {@link
 * org.dtheta.core.linalg.SymmetricEigensolver} and Gram-Schmidt QR ({@link
 * org.dtheta.core.linalg.Orthonormalizer}) it needs, and {@link
 * org.dtheta.core.linalg.HessianMap}, the Hessian of any scalar recorded on a {@link
 * org.dtheta.core.Tape} as such a map.
 *
 * <p>The small dense linear algebra is written here; the long vector loops go through {@link
 * org.dtheta.core.kernel.Kernels}.
 */
package org.dtheta.core.linalg;
