// Device and pinned host memory (axera.md §1.6). Device "pointers" are fake addresses inside a
// PROT_NONE reservation, so a host dereference crashes as it would with a card physical
// address, while offsets inside an allocation stay valid for memcpy (axera.md §6).
#include "sim_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const uint64_t kPage = 4096;
static const uint64_t kAddressSpan = 64ull << 30; // address space only; nothing is committed

#define MEM_ERR(id) AXCL_RT_ERR(AXCL_SUB_MEMORY, id)

static uint64_t round_up(uint64_t value, uint64_t to) { return (value + to - 1) / to * to; }

static bool reserve_address_space(void) {
    if (g_sim.addressBase) return true;
    void *base = mmap(NULL, kAddressSpan, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return false;
    g_sim.addressBase = base;
    g_sim.addressSpan = kAddressSpan;
    return true;
}

static bool is_device_address(uint64_t address) {
    uint64_t base = (uint64_t)(uintptr_t)g_sim.addressBase;
    return g_sim.addressBase && address >= base && address < base + g_sim.addressSpan;
}

// Index of the first allocation whose address is greater than `address`.
static size_t upper_bound(uint64_t address) {
    size_t low = 0, high = g_sim.allocationCount;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (g_sim.allocations[mid].address <= address) low = mid + 1;
        else high = mid;
    }
    return low;
}

sim_allocation *sim_find_allocation(uint64_t address, uint64_t count, uint64_t *offset) {
    size_t index = upper_bound(address);
    if (index == 0) return NULL;
    sim_allocation *allocation = &g_sim.allocations[index - 1];
    uint64_t start = address - allocation->address;
    if (start > allocation->size || count > allocation->size - start) return NULL;
    if (offset) *offset = start;
    return allocation;
}

uint8_t *sim_device_bytes(uint64_t address, uint64_t count) {
    uint64_t offset = 0;
    sim_allocation *allocation = sim_find_allocation(address, count, &offset);
    return allocation ? allocation->storage + offset : NULL;
}

// A free address range of `span` bytes: bump allocation, then first fit once the range wraps.
static bool find_address(uint64_t span, uint64_t *address) {
    uint64_t base = (uint64_t)(uintptr_t)g_sim.addressBase;
    if (g_sim.nextAddressOffset + span <= g_sim.addressSpan) {
        *address = base + g_sim.nextAddressOffset;
        g_sim.nextAddressOffset += span;
        return true;
    }
    uint64_t candidate = base + kPage;
    for (size_t i = 0; i <= g_sim.allocationCount; i++) {
        uint64_t limit = i < g_sim.allocationCount ? g_sim.allocations[i].address : base + g_sim.addressSpan;
        if (candidate + span <= limit) {
            *address = candidate;
            return true;
        }
        if (i < g_sim.allocationCount)
            candidate = g_sim.allocations[i].address + round_up(g_sim.allocations[i].size, kPage) + kPage;
    }
    return false;
}

void sim_free_allocation_at(size_t index) {
    sim_allocation *allocation = &g_sim.allocations[index];
    sim_device *device = sim_find_device(allocation->deviceId);
    if (device) device->cmmUsed -= device->cmmUsed < allocation->reserved ? device->cmmUsed : allocation->reserved;
    free(allocation->storage);
    memmove(allocation, allocation + 1, (g_sim.allocationCount - index - 1) * sizeof *allocation);
    g_sim.allocationCount--;
}

static axclError device_malloc(void **pointer, size_t size) {
    if (pointer == NULL) return MEM_ERR(AXCL_ERR_ID_NULL_POINTER);
    if (size == 0) return MEM_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    if (error != AXCL_SUCC) goto done;
    uint64_t charged = round_up(size, kPage);
    if (device->cmmUsed + charged > g_sim.config.cmmBudgetBytes) {
        error = MEM_ERR(AXCL_ERR_ID_NO_MEMORY);
        goto done;
    }
    if (!reserve_address_space()) {
        error = MEM_ERR(AXCL_ERR_ID_NO_MEMORY);
        goto done;
    }
    if (g_sim.allocationCount == g_sim.allocationCapacity) {
        size_t capacity = g_sim.allocationCapacity ? g_sim.allocationCapacity * 2 : 256;
        sim_allocation *grown = realloc(g_sim.allocations, capacity * sizeof *grown);
        if (grown == NULL) {
            error = MEM_ERR(AXCL_ERR_ID_NO_MEMORY);
            goto done;
        }
        g_sim.allocations = grown;
        g_sim.allocationCapacity = capacity;
    }
    uint64_t address = 0;
    uint8_t *storage = malloc(size);
    // A guard page after each block keeps an overrun from landing in the next one.
    if (storage == NULL || !find_address(charged + kPage, &address)) {
        free(storage);
        error = MEM_ERR(AXCL_ERR_ID_NO_MEMORY);
        goto done;
    }
    if (g_sim.config.mallocFill >= 0) memset(storage, g_sim.config.mallocFill, size);
    size_t index = upper_bound(address);
    memmove(&g_sim.allocations[index + 1], &g_sim.allocations[index],
            (g_sim.allocationCount - index) * sizeof(sim_allocation));
    g_sim.allocations[index] = (sim_allocation){
        .address = address, .size = size, .reserved = charged, .deviceId = device->id, .storage = storage};
    g_sim.allocationCount++;
    device->cmmUsed += charged;
    *pointer = (void *)(uintptr_t)address;
done:
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtMalloc(void **devPtr, size_t size, axclrtMemMallocPolicy policy) {
    sim_hang_if_injected("axclrtMalloc");
    (void)policy; // "currently unused" (axera.md §1.6)
    return device_malloc(devPtr, size);
}

SIM_EXPORT axclError axclrtMallocCached(void **devPtr, size_t size, axclrtMemMallocPolicy policy) {
    sim_hang_if_injected("axclrtMallocCached");
    (void)policy;
    return device_malloc(devPtr, size);
}

SIM_EXPORT axclError axclrtFree(void *devPtr) {
    if (devPtr == NULL) return MEM_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    if (error == AXCL_SUCC) {
        size_t index = upper_bound((uint64_t)(uintptr_t)devPtr);
        if (index == 0 || g_sim.allocations[index - 1].address != (uint64_t)(uintptr_t)devPtr ||
            g_sim.allocations[index - 1].deviceId != device->id)
            error = AXCL_ERR_MEMORY_NOT_DEVICE_MEMORY; // only the start of a live block can be freed
        else
            sim_free_allocation_at(index - 1);
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtMemFlush(void *devPtr, size_t size) {
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    if (error == AXCL_SUCC && sim_device_bytes((uint64_t)(uintptr_t)devPtr, size) == NULL)
        error = AXCL_ERR_MEMORY_NOT_DEVICE_MEMORY;
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtMemInvalidate(void *devPtr, size_t size) { return axclrtMemFlush(devPtr, size); }

SIM_EXPORT axclError axclrtMallocHost(void **hostPtr, size_t size) {
    sim_hang_if_injected("axclrtMallocHost");
    if (hostPtr == NULL) return MEM_ERR(AXCL_ERR_ID_NULL_POINTER);
    if (size == 0) return MEM_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    if (error == AXCL_SUCC) {
        sim_host_block *block = calloc(1, sizeof *block);
        void *pointer = NULL;
        if (block == NULL || posix_memalign(&pointer, kPage, size) != 0) {
            free(block);
            error = MEM_ERR(AXCL_ERR_ID_NO_MEMORY);
        } else {
            block->pointer = pointer;
            block->size = size;
            block->next = g_sim.hostBlocks;
            g_sim.hostBlocks = block;
            *hostPtr = pointer;
        }
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtFreeHost(void *hostPtr) {
    if (hostPtr == NULL) return MEM_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    if (error == AXCL_SUCC) {
        error = MEM_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
        for (sim_host_block **link = &g_sim.hostBlocks; *link; link = &(*link)->next) {
            sim_host_block *block = *link;
            if (block->pointer != hostPtr) continue;
            *link = block->next;
            free(block->pointer);
            free(block);
            error = AXCL_SUCC;
            break;
        }
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtMemset(void *devPtr, uint8_t value, size_t count) {
    sim_hang_if_injected("axclrtMemset");
    if (devPtr == NULL) return MEM_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    if (error == AXCL_SUCC) {
        uint64_t offset = 0;
        sim_allocation *allocation = sim_find_allocation((uint64_t)(uintptr_t)devPtr, count, &offset);
        if (allocation == NULL || allocation->deviceId != device->id) error = AXCL_ERR_MEMORY_NOT_DEVICE_MEMORY;
        else memset(allocation->storage + offset, value, count);
    }
    sim_unlock();
    return error;
}

// Resolves one side of a copy. A device side must lie inside one live block of the current
// device; a host side must not be a device address (the kind would be wrong).
static axclError resolve_side(const void *pointer, size_t count, bool device, int32_t deviceId, uint8_t **bytes) {
    uint64_t address = (uint64_t)(uintptr_t)pointer;
    if (!device) {
        if (is_device_address(address)) return MEM_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
        *bytes = (uint8_t *)pointer;
        return AXCL_SUCC;
    }
    uint64_t offset = 0;
    sim_allocation *allocation = sim_find_allocation(address, count, &offset);
    if (allocation == NULL || allocation->deviceId != deviceId) return AXCL_ERR_MEMORY_NOT_DEVICE_MEMORY;
    *bytes = allocation->storage + offset;
    return AXCL_SUCC;
}

SIM_EXPORT axclError axclrtMemcpy(void *dst, const void *src, size_t count, axclrtMemcpyKind kind) {
    if (dst == NULL || src == NULL) return MEM_ERR(AXCL_ERR_ID_NULL_POINTER);
    bool dstDevice, srcDevice;
    switch (kind) {
    case AXCL_MEMCPY_HOST_TO_HOST: dstDevice = false, srcDevice = false; break;
    case AXCL_MEMCPY_HOST_TO_DEVICE: dstDevice = true, srcDevice = false; break;
    case AXCL_MEMCPY_DEVICE_TO_HOST: dstDevice = false, srcDevice = true; break;
    case AXCL_MEMCPY_DEVICE_TO_DEVICE: dstDevice = true, srcDevice = true; break;
    case AXCL_MEMCPY_HOST_PHY_TO_DEVICE:
    case AXCL_MEMCPY_DEVICE_TO_HOST_PHY: return MEM_ERR(AXCL_ERR_ID_UNSUPPORT); // no host physical memory here
    default: return MEM_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    }
    sim_lock();
    sim_device *device = NULL;
    uint8_t *to = NULL, *from = NULL;
    axclError error = sim_require_context(&device);
    if (error == AXCL_SUCC) error = resolve_side(dst, count, dstDevice, device->id, &to);
    if (error == AXCL_SUCC) error = resolve_side(src, count, srcDevice, device->id, &from);
    if (error == AXCL_SUCC && count > 0) memmove(to, from, count);
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtMemcmp(const void *devPtr1, const void *devPtr2, size_t count) {
    sim_lock();
    sim_device *device = NULL;
    uint8_t *a = NULL, *b = NULL;
    axclError error = sim_require_context(&device);
    if (error == AXCL_SUCC) error = resolve_side(devPtr1, count, true, device->id, &a);
    if (error == AXCL_SUCC) error = resolve_side(devPtr2, count, true, device->id, &b);
    if (error == AXCL_SUCC && memcmp(a, b, count) != 0) error = MEM_ERR(AXCL_ERR_ID_FAIL); // SUCC only if equal
    sim_unlock();
    return error;
}
