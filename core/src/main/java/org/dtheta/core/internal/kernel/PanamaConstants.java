package org.dtheta.core.internal.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API constants, kept out of {@link KernelProvider} so that no static initialiser outside
 * the Panama classes touches the incubator module.
 */
final class PanamaConstants {
  /** The preferred species of this CPU (8 doubles on AVX-512), or a forced width for tests. */
  static final VectorSpecies<Double> SPECIES = species();

  private PanamaConstants() {}

  private static VectorSpecies<Double> species() {
    String bits = System.getProperty("dtheta.vectorBits");
    if (bits == null) {
      return DoubleVector.SPECIES_PREFERRED;
    }
    return VectorSpecies.of(double.class, jdk.incubator.vector.VectorShape.forBitSize(Integer.parseInt(bits)));
  }
}
