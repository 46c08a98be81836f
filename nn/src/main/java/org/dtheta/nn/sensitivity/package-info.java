/**
 * Exact derivatives of where a gradient-descent run ends with respect to its learning rate and
 * its initial parameters ({@link org.dtheta.nn.sensitivity.TrajectorySensitivity}): the tangent
 * (forward) and adjoint (backward) recursions along a stored trajectory, built on the products
 * of the update Jacobian {@code Df = I - alpha Hess L} that {@link org.dtheta.nn.UpdateMap}
 * forms.
 */
package org.dtheta.nn.sensitivity;
