/**
 * {@code boxd doctor}: {@link boxd.app.doctor.HostProbe} reads the host into {@link boxd.app.doctor.HostFacts};
 * {@link boxd.app.doctor.Doctor} judges them (pure, tested on canned facts) into a {@link boxd.app.doctor.Diagnosis}.
 */
package boxd.app.doctor;
