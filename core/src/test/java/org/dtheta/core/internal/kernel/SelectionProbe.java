package org.dtheta.core.internal.kernel;

import org.dtheta.core.kernel.Kernels;

/** Prints the kernels this JVM selects: the main of {@link FallbackWarningTest}'s fresh JVMs. */
public final class SelectionProbe {

  private SelectionProbe() {}

  public static void main(String[] args) {
    System.out.println("kernels " + Kernels.implementationName());
  }
}
