/**
 * Spectra and Lyapunov exponents of maps given only by their action ({@link
 * org.dtheta.nn.LinearMap}): block Lanczos with full reorthogonalisation for both ends of the
 * spectrum of a symmetric map (the Hessian of the loss, or the update Jacobian {@code Df = I -
 * alpha Hess L}), the stability reading of a Hessian spectrum for gradient descent, and the QR
 * (Benettin) method for the Lyapunov exponents of the update map along a trajectory.
 *
 * <p>The small dense linear algebra these need (symmetric eigensolver, Gram-Schmidt QR) is written
 * here; the long vector loops go through {@link org.dtheta.core.kernel.Kernels}.
 */
package org.dtheta.nn.spectral;
