#include "identitybackend.h"
#include "opensslbackend.h"

namespace aliassync {

std::unique_ptr<IdentityBackend> createDefaultIdentityBackend()
{
    return std::make_unique<OpenSslIdentityBackend>();
}

} // namespace aliassync
