/**
 * The structured (Kronecker) route to the exact Hessian of a two-layer network and to the dense
 * update Jacobian {@code Df = I - alpha Hess L}: {@link
 * org.dtheta.nn.structured.StructuredHessianPanels}, a {@link org.dtheta.nn.HessianPanels} that
 * agrees with the Hessian-product route to rounding and is far cheaper on sparse data.
 */
package org.dtheta.nn.structured;
