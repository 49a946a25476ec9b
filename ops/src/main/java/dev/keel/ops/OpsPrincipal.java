package dev.keel.ops;

import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who is calling the console: an administrator of every tenant, or an operator of named tenants. An
 * operator's every read and action is scoped to their tenants.
 *
 * @param name shown in the dashboard and recorded on alerts they acknowledge; never a secret
 */
public record OpsPrincipal(String name, boolean admin, SortedSet<String> tenants) {
  public OpsPrincipal {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("principal name must not be blank");
    }
    tenants = tenants == null ? new TreeSet<>() : new TreeSet<>(tenants);
    if (!admin && tenants.isEmpty()) {
      throw new IllegalArgumentException(
          "operator " + name + " must be given at least one tenant (or be an administrator)");
    }
    tenants = java.util.Collections.unmodifiableSortedSet(tenants);
  }

  /** An administrator of all tenants. */
  public static OpsPrincipal admin(String name) {
    return new OpsPrincipal(name, true, new TreeSet<>());
  }

  /** An operator of {@code tenants}. */
  public static OpsPrincipal operator(String name, Set<String> tenants) {
    return new OpsPrincipal(name, false, new TreeSet<>(tenants));
  }

  /** True if this principal may see and act on {@code tenant}'s jobs. */
  public boolean canSee(String tenant) {
    return admin || (tenant != null && tenants.contains(tenant));
  }
}
