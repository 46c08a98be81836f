/**
 * What the spectra of the update map say about training: the stability reading of a Hessian
 * spectrum for gradient descent ({@link org.dtheta.nn.spectral.UpdateStability}) and the QR
 * (Benettin) method for the Lyapunov exponents of the update map along a trajectory.
 *
 * <p>The spectra themselves (block Lanczos on a {@link org.dtheta.core.linalg.LinearMap}, the
 * dense symmetric eigensolver, Gram-Schmidt QR) come from {@link org.dtheta.core.linalg}.
 */
package org.dtheta.nn.spectral;
