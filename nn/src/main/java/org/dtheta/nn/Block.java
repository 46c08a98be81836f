package org.dtheta.nn;

/** The four parts of the parameter vector, in their order in theta (DESIGN.md section 2). */
public enum Block {
  /** First-layer weights, {@code inputs x hidden}, row-major (absent for a bias-only layer). */
  W1,
  /** First-layer bias, {@code 1 x hidden}. */
  B1,
  /** Second-layer weights, {@code hidden x outputs}, row-major. */
  W2,
  /** Second-layer bias, {@code 1 x outputs}. */
  B2;

  /** The block of {@code layout} at exactly {@code [offset, offset + length)}, or null if none is. */
  public static Block at(ParamLayout layout, int offset, int length) {
    for (Block b : values()) {
      if (layout.length(b) > 0 && layout.offset(b) == offset && layout.length(b) == length) {
        return b;
      }
    }
    return null;
  }

  /** Parses "W1", "b1", "w2", "B2" and so on. */
  public static Block parse(String name) {
    for (Block b : values()) {
      if (b.name().equalsIgnoreCase(name.trim())) {
        return b;
      }
    }
    throw new IllegalArgumentException("unknown parameter block '" + name + "': expected W1, b1, W2 or b2");
  }

  /** The name as written in the seeds and the CLI: W1, b1, W2, b2. */
  public String label() {
    return this == B1 ? "b1" : this == B2 ? "b2" : name();
  }
}
